import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface Gate {
  url: string
  down (): Promise<void>
  up (): Promise<void>
  close (): Promise<void>
}

/**
 * A TCP pass-through on a fixed 127.0.0.1 port in front of the real receiver, so a test can take
 * the receiver away (connections refused) and bring it back at the same URL.
 */
export async function startGate (target: string): Promise<Gate> {
  const { hostname, port: targetPort } = new URL(target)
  const sockets = new Set<Socket>()
  let server: Server | null = null
  let port = 0
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(targetPort), hostname)
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()) }
      client.pipe(upstream).pipe(client)
    })
    server.listen(port, '127.0.0.1', () => { port = (server!.address() as AddressInfo).port; resolve() })
  })
  const down = () => new Promise<void>((resolve) => {
    if (server === null) return resolve()
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
    server = null
  })
  await listen()
  return { url: `http://127.0.0.1:${port}`, down, up: listen, close: down }
}

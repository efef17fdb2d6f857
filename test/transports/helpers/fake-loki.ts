import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeLoki {
  url: string
  /** Every line the provider accepted, in arrival order. */
  lines: string[]
  rejectedRequests: number
  close (): Promise<void>
}

async function body (req: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of req) text += String(chunk)
  return text
}

/**
 * A Loki push endpoint on 127.0.0.1 with a quota: it accepts `acceptLines` lines, then answers
 * 429 with a quota message (whole pushes, as Loki does) for `quotaMs`, then accepts again.
 */
export async function startFakeLoki (opts: { acceptLines: number, quotaMs: number, retryAfterSeconds?: number }): Promise<FakeLoki> {
  const lines: string[] = []
  let overSince: number | null = null
  const state = { rejectedRequests: 0 }
  const server = createServer((req, res) => {
    body(req).then((text) => {
      const push = JSON.parse(text) as { streams: Array<{ values: Array<[string, string]> }> }
      const incoming = push.streams.flatMap((s) => s.values.map((v) => v[1]))
      const quotaOver = overSince !== null && Date.now() - overSince >= opts.quotaMs
      if (!quotaOver && lines.length + incoming.length > opts.acceptLines) {
        overSince ??= Date.now()
        state.rejectedRequests++
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(opts.retryAfterSeconds ?? 1) })
        res.end('ingestion rate limit exceeded: your plan quota is used up')
        return
      }
      lines.push(...incoming)
      res.writeHead(204).end()
    }).catch((err: Error) => { res.writeHead(400).end(err.message) })
  })
  server.keepAliveTimeout = 500
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    get rejectedRequests () { return state.rejectedRequests },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

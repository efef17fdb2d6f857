// The plumbing of the transports scenario: one child process per measurement, the receiver's
// own count of stored events, a free port that nothing listens on, and a proxy that makes that
// port the receiver's once it "comes back".
import { fork } from 'node:child_process'
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./transport-child.js', import.meta.url))
const CHILD_TIMEOUT_MS = 120_000

/** Runs one measurement (see transport-child.js); its output goes to the run's log folder. */
export function measureWriter (ctx, spec) {
  return new Promise((resolve, reject) => {
    // --expose-gc only where the live heap is measured: a collection forced every gcMs costs time.
    const execArgv = spec.gcMs > 0 ? ['--expose-gc'] : []
    const child = fork(CHILD, [JSON.stringify(spec)], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    const logPath = join(ctx.logDir, `transports-${spec.writer}-${child.pid}.log`)
    const log = createWriteStream(logPath)
    child.stdout.pipe(log)
    child.stderr.pipe(log)
    let result = null
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    child.on('message', (msg) => { result = msg })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (result !== null) resolve(result)
      else reject(new Error(`${spec.writer} exited with ${signal ?? code} before reporting (see ${logPath})`))
    })
  })
}

/** Events the receiver has stored since it started, from its Prometheus counter. */
export async function acceptedEvents (url) {
  const text = await (await fetch(`${url}/metrics`)).text()
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('tekno_events_accepted_total')) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/** A 127.0.0.1 port that was free a moment ago and that nothing listens on now. */
export function closedPort () {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Forwards `port` to the receiver: the transports' URL stays the same when the receiver returns. */
export function forward (port, to) {
  const target = new URL(to)
  const sockets = new Set()
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname)
    for (const s of [socket, upstream]) {
      sockets.add(s)
      s.on('error', () => { socket.destroy(); upstream.destroy() })
      s.on('close', () => sockets.delete(s))
    }
    socket.pipe(upstream).pipe(socket)
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(port, '127.0.0.1', () => resolve({
      close: () => new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
    }))
  })
}

/** Files and bytes the spool folder holds now. */
export function spoolOnDisk (dir) {
  let files = 0
  let bytes = 0
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    // .replay: claimed by a transport that closed before reading it to the end
    if (!name.endsWith('.ndjson') && !name.endsWith('.replay')) continue
    files++
    bytes += statSync(join(dir, name)).size
  }
  return { files, bytes }
}

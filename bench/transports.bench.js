// The app's own logging throughput with the tekno-logger pino transport, against pino writing
// to a file with pino.destination (sonic-boom), in the same run. The transport's work happens
// in pino's worker thread; what the app pays is the hand-off, which is what this measures.
// A plain script (the harness runs it in a child process and reads the tables back):
//   node bench/transports.bench.js          LINES=50000 ROUNDS=3 node bench/transports.bench.js
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'

const LINES = Number(process.env.LINES ?? 200_000)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const dir = mkdtempSync(join(tmpdir(), 'tekno-bench-transports-'))

// The sink is a separate process so that the app thread being measured never also serves HTTP.
const SINK = `
  const http = require('node:http'); const zlib = require('node:zlib'); let events = 0
  http.createServer((req, res) => {
    if (req.method === 'GET') { res.end(String(events)); return }
    const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => {
      const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks)
      events += JSON.parse(body).events.length
      res.writeHead(202, { 'content-type': 'application/json' }); res.end('{"accepted":1}')
    })
  }).listen(0, '127.0.0.1', function () { process.send(this.address().port) })`

async function startSink () {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [port] = await once(child, 'message')
  return { url: `http://127.0.0.1:${port}`, count: async () => Number(await (await fetch(`http://127.0.0.1:${port}/`)).text()), stop: () => child.kill() }
}

/** Lines per second the app thread achieves; the same lines, fields and level for every writer. */
function logLoop (logger) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < LINES; i++) logger.info({ i, userId: 7, path: '/checkout' }, 'request handled')
  return LINES / (Number(process.hrtime.bigint() - start) / 1e9)
}

async function withDestination (round) {
  const dest = pino.destination({ dest: join(dir, `dest-${round}.log`), sync: false })
  await once(dest, 'ready')
  const rate = logLoop(pino(dest))
  dest.flushSync()
  dest.end()
  return rate
}

async function withTransport (round, options) {
  const transport = pino.transport(options)
  await once(transport, 'ready')
  const rate = logLoop(pino(transport))
  const start = Date.now()
  // pino's worker is unref'd: without something holding the loop, 'close' would never come
  const hold = setInterval(() => {}, 1000)
  const closed = once(transport, 'close')
  transport.end()
  await closed
  clearInterval(hold)
  return { rate, drainMs: Date.now() - start }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => Math.round(n).toLocaleString('en-US')

const sink = await startSink()
const rates = { destination: [], file: [], tekno: [] }
const drains = []
try {
  for (let round = 0; round < ROUNDS; round++) {
    rates.destination.push(await withDestination(round))
    rates.file.push((await withTransport(round, { target: 'pino/file', options: { destination: join(dir, `file-${round}.log`) } })).rate)
    const tekno = await withTransport(round, { target: 'tekno-logger/pino', options: { url: sink.url, key: 'bench', secret: 'bench', spoolDir: join(dir, 'spool') } })
    rates.tekno.push(tekno.rate)
    drains.push(tekno.drainMs)
  }
  const delivered = await sink.count()
  const base = median(rates.destination)
  console.log(`App-thread logging throughput, ${fmt(LINES)} lines a round, median of ${ROUNDS} rounds`)
  console.log('')
  console.log('| writer | lines/s | ratio to pino.destination |')
  console.log('| --- | --- | --- |')
  console.log(`| pino.destination (sonic-boom, file) | ${fmt(base)} | 1.00 |`)
  console.log(`| pino.transport pino/file (worker) | ${fmt(median(rates.file))} | ${(median(rates.file) / base).toFixed(2)} |`)
  console.log(`| pino.transport tekno-logger/pino (worker, gzip, signed HTTP) | ${fmt(median(rates.tekno))} | ${(median(rates.tekno) / base).toFixed(2)} |`)
  console.log('')
  console.log(`Delivered to the local sink: ${fmt(delivered)} of ${fmt(LINES * ROUNDS)} events; worker drain after the loop: median ${fmt(median(drains))} ms.`)
  if (delivered !== LINES * ROUNDS) process.exitCode = 1
} finally {
  sink.stop()
  rmSync(dir, { recursive: true, force: true })
}

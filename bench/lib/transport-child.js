// One logging measurement in a process of its own (forked by bench/transports.bench.js), so that
// each writer starts from the same cold process and its peak memory is its own. The app logs
// LINES lines in bursts of BURST, yielding to the event loop between bursts as a server does
// between requests; the app-thread time is until every line is handed to the writer (pino:
// written to its stream; winston: the transport's 'logged'). Delivery afterwards is timed apart.
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import pino from 'pino'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { pacedGc } from './paced-gc.js'

const PROBE = fileURLToPath(new URL('./transport-probe.mjs', import.meta.url))
const BURST = 1000
const spec = JSON.parse(process.argv[2])

/** Peaks of this process (all threads for RSS, the app thread for heap) and of the pino worker via the probe. */
function sampler (intervalMs, gcMs, statsOf) {
  const peak = { rss: 0, heapUsed: 0, workerHeapUsed: 0, bufferedBytes: 0, liveHeap: 0, workerLiveHeap: 0 }
  let last = null
  /**
   * Every heap-after-GC sample in order, with the events spooled so far: once spooling has begun
   * the buffer is full, and from then on memory should stay flat however many lines follow.
   */
  const live = { app: [], worker: [] }
  const sample = () => {
    const m = process.memoryUsage()
    peak.rss = Math.max(peak.rss, m.rss)
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed)
  }
  const timer = setInterval(sample, intervalMs)
  // With --expose-gc: the heap right after a full collection, garbage excluded.
  const stopGc = gcMs > 0 && typeof globalThis.gc === 'function'
    ? pacedGc(gcMs, () => {
      const heapUsed = process.memoryUsage().heapUsed
      peak.liveHeap = Math.max(peak.liveHeap, heapUsed)
      live.app.push([heapUsed, statsOf()?.spooled ?? 0])
    })
    : null
  return {
    peak,
    live,
    sample,
    probe (report) {
      last = report
      peak.workerHeapUsed = Math.max(peak.workerHeapUsed, report.heapUsed)
      if (report.stats !== null) peak.bufferedBytes = Math.max(peak.bufferedBytes, report.stats.bufferedBytes)
    },
    workerLive (bytes, spooled) { peak.workerLiveHeap = Math.max(peak.workerLiveHeap, bytes); live.worker.push([bytes, spooled]) },
    stats (stats) { peak.bufferedBytes = Math.max(peak.bufferedBytes, stats.bufferedBytes) },
    get last () { return last },
    stop () { clearInterval(timer); stopGc?.(); sample() }
  }
}

function teknoOptions () {
  return { ...spec.tekno }
}

/** pino.transport for a target; through the probe when the worker's memory is wanted. */
function pinoTransport (target, options, mem) {
  const transport = spec.probe
    ? pino.transport({ target: PROBE, options: { target, options, gcMs: spec.gcMs ?? 0 } })
    : pino.transport({ target, options })
  transport.on('tekno-probe', (report) => mem.probe(report))
  transport.on('tekno-probe-live', (bytes, spooled) => mem.workerLive(bytes, spooled))
  return transport
}

async function openPino (mem) {
  if (spec.writer === 'pino-destination') {
    const dest = pino.destination({ dest: join(spec.dir, `${process.pid}.log`), sync: false })
    await once(dest, 'ready')
    return {
      logger: pino(dest),
      async close () { dest.flushSync(); dest.end() }
    }
  }
  const file = { destination: join(spec.dir, `${process.pid}.log`) }
  const transport = spec.writer === 'pino-file'
    ? pinoTransport('pino/file', file, mem)
    : pinoTransport('tekno-logger/pino', { ...teknoOptions(), ...(spec.writer === 'pino-tekno-primary' ? { primary: { target: 'pino/file', options: file } } : {}) }, mem)
  await once(transport, 'ready')
  return {
    logger: pino(transport),
    async close () {
      // pino's worker is unref'd: without something holding the loop, 'close' would never come
      const hold = setInterval(() => {}, 1000)
      const closed = once(transport, 'close')
      transport.end()
      await closed
      clearInterval(hold)
    }
  }
}

function openWinston (mem) {
  const file = () => new winston.transports.File({ filename: join(spec.dir, `${process.pid}.log`) })
  const transport = spec.writer === 'winston-file'
    ? file()
    : new TeknoTransport({ ...teknoOptions(), ...(spec.writer === 'winston-tekno-primary' ? { primary: file() } : {}) })
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
  let logged = 0
  let allLogged = null
  transport.on('logged', () => { if (++logged === spec.lines) allLogged?.() })
  const statsTimer = typeof transport.stats === 'function' ? setInterval(() => mem.stats(transport.stats()), 20) : null
  return {
    logger: { info: (fields, msg) => logger.info(msg, fields) },
    handedOver: () => logged >= spec.lines ? Promise.resolve() : new Promise((resolve) => { allLogged = resolve }),
    stats: () => typeof transport.stats === 'function' ? transport.stats() : null,
    async close () {
      const finished = once(transport, 'finish')
      logger.end()
      await finished
      if (statsTimer !== null) clearInterval(statsTimer)
    }
  }
}

let writer = null
const mem = sampler(spec.sampleMs ?? 20, spec.gcMs ?? 0, () => writer?.stats?.() ?? null)
writer = spec.writer.startsWith('pino') ? await openPino(mem) : openWinston(mem)
const { logger } = writer
const rssBefore = process.memoryUsage().rss

const t0 = performance.now()
for (let i = 0; i < spec.lines;) {
  const end = Math.min(spec.lines, i + BURST)
  for (; i < end; i++) logger.info({ i, userId: 7, path: '/checkout' }, 'request handled')
  // pauseMs paces a long run (receiver down) so that the worker's timers, the probe's, get turns.
  await new Promise((resolve) => spec.pauseMs ? setTimeout(resolve, spec.pauseMs) : setImmediate(resolve))
}
await writer.handedOver?.()
const appMs = performance.now() - t0

// The pino worker may still be reading the last lines; its stats are wanted once it holds them all.
if (spec.settleMs) await new Promise((resolve) => setTimeout(resolve, spec.settleMs))
const beforeClose = writer.stats?.() ?? mem.last?.stats ?? null
const t1 = performance.now()
await writer.close()
const drainMs = performance.now() - t1
mem.stop()

process.send({ writer: spec.writer, lines: spec.lines, appMs, rate: spec.lines / (appMs / 1000), drainMs, rssBefore, peak: mem.peak, live: mem.live, beforeClose, final: writer.stats?.() ?? null }, () => process.exit(0))

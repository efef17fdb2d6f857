// The database ceiling: the store's own logs.insertBatch with the same validated batches the
// receiver stores, no HTTP, in a process of its own. The receiver cannot beat this; the issue
// asks for 0.9 of it on MariaDB and 0.8 on SQLite.
import { withTarget } from './lib/context.js'
import { BACKEND_LABEL } from './lib/options.js'
import { SEED_BYTES, SEED_EVENTS } from './lib/seed-batch.js'
import { cpuMsPerBatch, fmtMB, fmtMs, fmtNum } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'

export const id = 'storage-ceiling'
export const title = 'Storage-only ceiling (logs.insertBatch, no HTTP)'

/**
 * SQLite writes are serialised by the database itself, so one inserter is its ceiling; MariaDB
 * takes concurrent transactions, and 4 inserters is where it stops gaining on 2 cores.
 */
export const CEILING_INSERTERS = { sqlite: 1, mysql: 4 }

export async function measureCeiling (ctx, kind, { inserters = CEILING_INSERTERS[kind], seconds = ctx.options.seconds } = {}) {
  return withTarget(ctx, 'storage', kind, async (target) => {
    ctx.progress.update(`${BACKEND_LABEL[kind]} storage ceiling, ${inserters} inserter${inserters > 1 ? 's' : ''}, ${seconds} s`)
    const stop = target.monitor()
    const r = await target.call('ceiling', { seconds, inserters, count: SEED_EVENTS, bytes: SEED_BYTES })
    const usage = await stop()
    return {
      kind,
      inserters,
      seconds: r.ms / 1000,
      batches: r.batches,
      ok: r.batches,
      batchesPerSecond: r.batches / (r.ms / 1000),
      eventsPerSecond: r.events / (r.ms / 1000),
      bytesPerSecond: r.batches * SEED_BYTES / (r.ms / 1000),
      latency: r.latency,
      // Measured by the child over exactly the inserting window, all threads included.
      cpuPercent: r.cpuPercent,
      rssPeak: usage.rssPeak,
      cpu: usage.cpu
    }
  })
}

export function ceilingRow (c) {
  return [`${BACKEND_LABEL[c.kind]} store`, `${c.inserters} inserter${c.inserters > 1 ? 's' : ''}`, fmtNum(c.batchesPerSecond),
    fmtNum(c.eventsPerSecond), fmtMB(c.bytesPerSecond), fmtMs(c.latency.p50), fmtMs(c.latency.p99), fmtMs(c.latency.max), '0',
    `${Math.round(c.cpuPercent)}%`, fmtMs(cpuMsPerBatch(c)), fmtMB(c.rssPeak), '1.00×']
}

export const THROUGHPUT_COLUMNS = ['target', 'load', 'batches/s', 'events/s', 'MB/s', 'p50', 'p99', 'max', 'errors', 'CPU', 'CPU/batch', 'RSS peak', '÷ ceiling']

export async function run (ctx) {
  const rows = []
  const data = {}
  for (const kind of ctx.options.backends) {
    data[kind] = []
    for (const inserters of [...new Set([1, CEILING_INSERTERS[kind], 4])]) {
      const c = await measureCeiling(ctx, kind, { inserters })
      data[kind].push(c)
      rows.push(ceilingRow(c))
    }
  }
  return {
    id,
    title,
    tables: [{ title: `Seed batches straight into the store for ${ctx.options.seconds} s each`, columns: THROUGHPUT_COLUMNS, rows }],
    notes: ['CPU is the Node process only (the MariaDB server is a separate process sharing the same cores).'],
    checks: [],
    data
  }
}

if (isMain(import.meta.url)) runAlone(id)

// The database ceiling: the store's own logs.insertBatch with the same validated batches the
// receiver stores, no HTTP, in a process of its own. The receiver cannot beat this; the issue
// asks for 0.9 of it on MariaDB and 0.8 on SQLite.
import { withTarget } from './lib/context.js'
import { BACKEND_LABEL } from './lib/options.js'
import { SEED_BYTES, SEED_EVENTS } from './lib/seed-batch.js'
import { cpuMsPerBatch, fmtMB, fmtMs, fmtNum, fmtRatio, ratio, summarize } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'

export const id = 'storage-ceiling'
export const title = 'Storage-only ceiling (logs.insertBatch, no HTTP)'

/**
 * SQLite writes are serialised by the database itself, so one inserter is its ceiling; MariaDB
 * takes concurrent transactions, and 4 inserters is where it stops gaining on 2 cores.
 */
export const CEILING_INSERTERS = { sqlite: 1, mysql: 4 }

export async function measureCeiling (ctx, kind, { inserters = CEILING_INSERTERS[kind], seconds = ctx.options.seconds, distinct = false } = {}) {
  return withTarget(ctx, 'storage', kind, async (target) => {
    ctx.progress.update(`${BACKEND_LABEL[kind]} storage ceiling, ${inserters} inserter${inserters > 1 ? 's' : ''}${distinct ? ', every message new' : ''}, ${seconds} s`)
    const stop = target.monitor()
    const r = await target.call('ceiling', { seconds, inserters, count: SEED_EVENTS, bytes: SEED_BYTES, distinct })
    const usage = await stop()
    const result = {
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
    // Kept for mergeCeilings, out of the results file.
    Object.defineProperty(result, 'samples', { value: r.samples, enumerable: false })
    return result
  })
}

const sum = (parts, f) => parts.reduce((a, p) => a + (f(p) ?? 0), 0)
const weighted = (parts, f) => {
  const known = parts.filter((p) => f(p) != null)
  const w = sum(known, (p) => p.cpu.windowMs)
  return known.length === 0 || w <= 0 ? null : sum(known, (p) => f(p) * p.cpu.windowMs) / w
}

/**
 * Measurements of one ceiling taken at different times, as one: their batches over their time,
 * latency over all their samples, CPU added up. Measured before and after the receiver, drift
 * in the machine's speed between the two (a shared VM's neighbours) moves the ceiling and the
 * receiver alike, instead of showing up in their ratio.
 */
export function mergeCeilings (parts) {
  const [first] = parts
  const seconds = sum(parts, (p) => p.seconds)
  const batches = sum(parts, (p) => p.batches)
  const cpus = parts.every((p) => p.cpu !== undefined) ? parts : []
  return {
    kind: first.kind,
    inserters: first.inserters,
    seconds,
    batches,
    ok: batches,
    batchesPerSecond: batches / seconds,
    eventsPerSecond: sum(parts, (p) => p.eventsPerSecond * p.seconds) / seconds,
    bytesPerSecond: sum(parts, (p) => p.bytesPerSecond * p.seconds) / seconds,
    latency: summarize(parts.flatMap((p) => p.samples ?? [])),
    cpuPercent: sum(parts, (p) => p.cpuPercent * p.seconds) / seconds,
    rssPeak: Math.max(...parts.map((p) => p.rssPeak ?? 0)),
    ...(cpus.length === 0
      ? {}
      : {
          cpu: {
            machineBusyMs: cpus.some((p) => p.cpu.machineBusyMs == null) ? null : sum(cpus, (p) => p.cpu.machineBusyMs),
            machineBusyShare: weighted(cpus, (p) => p.cpu.machineBusyShare),
            stolenShare: weighted(cpus, (p) => p.cpu.stolenShare),
            databaseMs: cpus.some((p) => p.cpu.databaseMs == null) ? null : sum(cpus, (p) => p.cpu.databaseMs),
            loadGeneratorMs: sum(cpus, (p) => p.cpu.loadGeneratorMs),
            targetMs: sum(cpus, (p) => p.cpu.targetMs),
            windowMs: sum(cpus, (p) => p.cpu.windowMs)
          }
        }),
    parts: parts.map((p) => ({ seconds: p.seconds, batches: p.batches, eventsPerSecond: p.eventsPerSecond }))
  }
}

/** A table row for ceiling `c`; `of` is the ceiling it is part of (mergeCeilings), for its ratio to it. */
export function ceilingRow (c, when = '', of = c) {
  return [`${BACKEND_LABEL[c.kind]} store${when}`, `${c.inserters} inserter${c.inserters > 1 ? 's' : ''}`, fmtNum(c.batchesPerSecond),
    fmtNum(c.eventsPerSecond), fmtMB(c.bytesPerSecond), fmtMs(c.latency.p50), fmtMs(c.latency.p99), fmtMs(c.latency.max), '0',
    `${Math.round(c.cpuPercent)}%`, fmtMs(cpuMsPerBatch(c)), fmtMB(c.rssPeak), fmtRatio(ratio(c.eventsPerSecond, of.eventsPerSecond))]
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
    const seed = data[kind].find((c) => c.inserters === CEILING_INSERTERS[kind])
    const distinct = await measureCeiling(ctx, kind, { distinct: true })
    data[`${kind}-distinct`] = [distinct]
    rows.push(ceilingRow(distinct, ', every message new', seed))
  }
  return {
    id,
    title,
    tables: [{ title: `Seed batches straight into the store for ${ctx.options.seconds} s each`, columns: THROUGHPUT_COLUMNS, rows }],
    notes: [
      'CPU is the Node process only (the MariaDB server is a separate process sharing the same cores).',
      '"Every message new": the seed batches with each message made unique (its batch number appended), so every event adds an ' +
        'hourly fingerprint rollup row instead of counting into one of the same 200; ÷ ceiling is against the seed rows at the same inserters.'
    ],
    checks: [],
    data
  }
}

if (isMain(import.meta.url)) runAlone(id)

// The seed batch (200 events, 300 KB) from a single client: the latency a transport sees for
// each flush. Measured on each database next to the parse-only route, in the same run, then
// across batch sizes for the chart in docs/benchmarks.md.
import { withTarget } from './lib/context.js'
import { PREBUILT_SPACING_MS, runLoad, sendsPrebuilt } from './lib/load.js'
import { BACKEND_LABEL } from './lib/options.js'
import { measureParseOnly } from './parse-only-baseline.bench.js'
import { batchTemplate, SEED_BYTES, SEED_EVENTS } from './lib/seed-batch.js'
import { cpuMsPerBatch, fmtMs, fmtRatio, ratio } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'

export const id = 'seed-batch'
export const title = 'Seed batch, single client'

export const BATCH_SIZES = [1, 10, 50, 100, 200, 250]
const BYTES_PER_EVENT = SEED_BYTES / SEED_EVENTS
const P99_TARGET_MS = 10
const SEED_GOAL_LOCAL_MS = 300
const SEED_GOAL_REMOTE_MS = 1000
/** A bound on each baseline's run; the batch count ends it long before. */
const BASELINE_SECONDS_MAX = 600

function loadsFor (ctx) {
  const { requests } = ctx.options
  const { runId } = ctx
  const warmup = Math.max(3, Math.round(requests / 10))
  // As many as the seed row locally, so that each size's p99 is not simply its slowest request;
  // a quarter remotely, where every request is paced under the project's rate limits.
  const perSize = ctx.options.remote === null ? requests : Math.max(5, Math.round(requests / 4))
  return [
    { connections: 1, amount: warmup, template: batchTemplate({ runId }), warmup: true },
    { connections: 1, amount: requests, template: batchTemplate({ runId }) },
    ...BATCH_SIZES.map((n) => ({ connections: 1, amount: perSize, size: n, template: batchTemplate({ count: n, bytes: n * BYTES_PER_EVENT, runId }) }))
  ]
}

async function measureReceiver (ctx, kind, loads) {
  return withTarget(ctx, 'receiver', kind, async (target) => {
    const out = []
    for (const load of loads) {
      const label = `${BACKEND_LABEL[kind]} ${load.warmup ? 'warm-up' : load.size === undefined ? 'seed' : `${load.size} events`}`
      const stop = target.monitor()
      const r = await runLoad({ ...target.info, ...load, runId: ctx.runId, label, onProgress: ctx.progress.update })
      out.push({ ...r, ...await stop() })
    }
    return out
  })
}

/**
 * The baselines under each database's row, in a storage child of their own: the store's
 * logs.insertBatch with the same batches and no HTTP, then the same rows written the plainest way
 * into a table with only a primary key (lib/bare-insert.js): what this database gives the
 * simplest writer, whatever a receiver does on top.
 */
async function measureBaselines (ctx, kind, loads) {
  const [warmup, seed] = loads
  const sizes = { count: SEED_EVENTS, bytes: seed.template.bytes }
  return withTarget(ctx, 'storage', kind, async (target) => {
    ctx.progress.update(`${BACKEND_LABEL[kind]} seed batch, storage only, ${seed.amount} batches`)
    await target.call('ceiling', { seconds: BASELINE_SECONDS_MAX, inserters: 1, ...sizes, limit: warmup.amount })
    const storage = await target.call('ceiling', { seconds: BASELINE_SECONDS_MAX, inserters: 1, ...sizes, limit: seed.amount })
    ctx.progress.update(`${BACKEND_LABEL[kind]} seed batch, bare INSERT, ${seed.amount} batches`)
    const bare = await target.call('bare', { warmup: warmup.amount, batches: seed.amount, ...sizes })
    return {
      storage: { latency: storage.latency, batches: storage.batches, cpuMsPerBatch: storage.cpuMsPerBatch },
      bare: { latency: bare, batches: bare.count }
    }
  })
}

async function measureRemote (ctx, loads) {
  const out = []
  for (const load of loads) {
    const label = `remote ${load.warmup ? 'warm-up' : load.size === undefined ? 'seed' : `${load.size} events`}`
    // Paced under the default rate limits: a 429 would say nothing about latency.
    out.push(await runLoad({ ...ctx.options.remote, ...load, rate: ctx.options.remote.rate, runId: ctx.runId, label, onProgress: ctx.progress.update }))
  }
  return out
}

export async function run (ctx) {
  const loads = loadsFor(ctx)
  const measured = {}
  const baselines = {}
  if (ctx.options.remote !== null) {
    measured.remote = await measureRemote(ctx, loads)
  } else {
    measured['parse-only'] = await measureParseOnly(ctx, loads)
    for (const kind of ctx.options.backends) {
      ctx.progress.log(`seed batch on ${BACKEND_LABEL[kind]}`)
      measured[kind] = await measureReceiver(ctx, kind, loads)
      baselines[kind] = await measureBaselines(ctx, kind, loads)
    }
  }

  const floor = measured['parse-only']?.[1]?.latency
  const seed = Object.entries(measured).map(([target, runs]) => ({ target, ...runs[1] }))
  const sizes = Object.fromEntries(Object.entries(measured).map(([target, runs]) =>
    [target, runs.slice(2).map((r, i) => ({ events: BATCH_SIZES[i], bytes: loads[i + 2].template.bytes, latency: r.latency, ok: r.ok, requests: r.requests }))]))

  const rows = []
  for (const s of seed) {
    rows.push([
      BACKEND_LABEL[s.target], fmtMs(s.latency.p50), fmtMs(s.latency.p90), fmtMs(s.latency.p99), fmtMs(s.latency.max),
      s.target === 'parse-only' ? '1.00×' : fmtRatio(ratio(s.latency.p50, floor?.p50)),
      s.target === 'parse-only' ? '1.00×' : fmtRatio(ratio(s.latency.p99, floor?.p99)),
      fmtMs(cpuMsPerBatch(s)),
      `${s.ok}/${s.requests}`
    ])
    const under = baselines[s.target]
    if (under === undefined) continue
    for (const [what, f] of [['storage only', under.storage], ['bare INSERT', under.bare]]) {
      rows.push([`${BACKEND_LABEL[s.target]}, ${what}`, fmtMs(f.latency.p50), fmtMs(f.latency.p90), fmtMs(f.latency.p99), fmtMs(f.latency.max),
        '', '', 'cpuMsPerBatch' in f ? fmtMs(f.cpuMsPerBatch) : '', `${f.batches} stored`])
    }
  }
  const checks = []
  for (const s of seed) {
    if (s.target === 'parse-only') continue
    const goal = s.target === 'remote' ? SEED_GOAL_REMOTE_MS : SEED_GOAL_LOCAL_MS
    checks.push({ label: `seed batch p99 under ${goal} ms (${BACKEND_LABEL[s.target]})`, value: fmtMs(s.latency.p99), pass: s.latency.p99 != null && s.latency.p99 < goal })
    if (s.target === 'remote') continue
    // What this machine's tail is made of: the route that only parses, the store alone, and the
    // simplest writer on the same database. When one of them is near the target, what is left is
    // the difference.
    const under = baselines[s.target]
    const beside = [
      ...(floor?.p99 == null ? [] : [`parse-only route: ${fmtMs(floor.p99)}`]),
      ...(under === undefined ? [] : [`storage only: ${fmtMs(under.storage.latency.p99)}`, `a bare INSERT of the same rows: ${fmtMs(under.bare.latency.p99)}`])
    ]
    checks.push({
      label: `seed batch p99 ≤ ${P99_TARGET_MS} ms (${BACKEND_LABEL[s.target]})`,
      value: `${fmtMs(s.latency.p99)}${beside.length === 0 ? '' : ` (${beside.join('; ')})`}`,
      pass: s.latency.p99 != null && s.latency.p99 <= P99_TARGET_MS
    })
  }
  const sizeRows = []
  for (const [i, n] of BATCH_SIZES.entries()) {
    sizeRows.push([String(n), `${Math.round(loads[i + 2].template.bytes / 1000)} KB`,
      ...Object.keys(sizes).map((t) => `${fmtMs(sizes[t][i].latency.p50)} / ${fmtMs(sizes[t][i].latency.p99)}`)])
  }
  return {
    id,
    title,
    tables: [
      {
        title: `Seed batch (${SEED_EVENTS} events, ${Math.round(loads[1].template.bytes / 1000)} KB), 1 client, ${ctx.options.requests} requests`,
        columns: ['target', 'p50', 'p90', 'p99', 'max', 'p50 ÷ parse-only', 'p99 ÷ parse-only', 'CPU/batch', '2xx'],
        rows
      },
      {
        title: `Latency against batch size, p50 / p99 (1 client, ${loads[2].amount} requests a size)`,
        columns: ['events', 'body', ...Object.keys(sizes).map((t) => BACKEND_LABEL[t])],
        rows: sizeRows
      }
    ],
    notes: [
      '"storage only" is the store\'s logs.insertBatch with the same batches, one after another, in a process of its own with no HTTP. "bare INSERT" writes the same rows the plainest way, in a transaction a batch, into a table with the same columns and only a primary key (no other index, rollup, batch id or rate counter): what this database gives the simplest writer. It is a reference, not a bound: on SQLite it checkpoints on the writing thread, which the store does not.',
      'CPU/batch is the target process\'s CPU time (all its threads) per accepted batch: it holds steady when other work shares the cores; latency does not.',
      ...(sendsPrebuilt({ connections: 1, amount: ctx.options.requests, rate: ctx.options.remote?.rate })
        ? [`Every request of a single-client run is built and signed before the run starts, each with its own batch id and timestamps ${PREBUILT_SPACING_MS} ms after the previous batch's, so the load generator allocates nothing, and pauses for no collection of its own, while a request is in flight (bench/README.md).`]
        : [])
    ],
    checks,
    data: { seed, sizes, baselines }
  }
}

if (isMain(import.meta.url)) runAlone(id)

// Sustained ingest: 10 and 50 connections sending seed batches for a fixed time, against the
// parse-only route (the HTTP ceiling) and the store alone (the database ceiling), all in this run.
import { withTarget } from './lib/context.js'
import { runLoad } from './lib/load.js'
import { BACKEND_LABEL } from './lib/options.js'
import { batchTemplate } from './lib/seed-batch.js'
import { cpuMsPerBatch, fmtMB, fmtMs, fmtNum, fmtRatio, ratio } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'
import { measureParseOnly } from './parse-only-baseline.bench.js'
import { ceilingRow, measureCeiling, mergeCeilings, THROUGHPUT_COLUMNS } from './storage-ceiling.bench.js'

export const id = 'sustained-ingest'
export const title = 'Sustained ingest'

export const CONNECTIONS = [10, 50]
const TARGETS = {
  sqlite: { ofCeiling: 0.8, p99AtTen: 50 },
  mysql: { ofCeiling: 0.9 }
}

/** The receiver on a fresh database, loaded at each connection count in turn. */
export async function measureReceiver (ctx, kind, connections = CONNECTIONS, seconds = ctx.options.seconds) {
  return withTarget(ctx, 'receiver', kind, async (target) => {
    const template = batchTemplate()
    // A short warm-up so the JIT and the connection pool are not part of the first figure.
    await runLoad({ ...target.info, template, connections: 2, amount: 20, runId: ctx.runId })
    const out = []
    for (const c of connections) {
      const stop = target.monitor()
      const r = await runLoad({ ...target.info, template, connections: c, seconds, runId: ctx.runId,
        label: `${BACKEND_LABEL[kind]} ${c} connections`, onProgress: ctx.progress.update })
      out.push({ kind, ...r, ...await stop() })
    }
    return out
  })
}

function row (label, r, ceiling) {
  return [label, `${r.connections} conn`, fmtNum(r.batchesPerSecond), fmtNum(r.eventsPerSecond), fmtMB(r.bytesPerSecond),
    fmtMs(r.latency.p50), fmtMs(r.latency.p99), fmtMs(r.latency.max), String(r.non2xx + r.errors),
    r.cpuPercent === undefined ? '–' : `${Math.round(r.cpuPercent)}%`, fmtMs(cpuMsPerBatch(r)), r.rssPeak === undefined ? '–' : fmtMB(r.rssPeak),
    ceiling === undefined ? '–' : fmtRatio(ratio(r.eventsPerSecond, ceiling.eventsPerSecond))]
}

const fmtShare = (share) => (share == null ? '–' : `${Math.round(share * 100)}%`)

const perBatch = (ms, batches) => (ms == null || !batches ? null : ms / batches)

const SPLIT_COLUMNS = ['target', 'load', 'machine busy', 'stolen', 'target process', 'MariaDB server', 'load generator', 'rest', 'all']

/**
 * Where the machine's CPU went, in ms per stored batch. On two cores the receiver, the database
 * and the load generator share the CPU, so the receiver's throughput against the ceiling is set
 * by the whole machine's CPU per batch, not by its own process alone.
 */
function splitRow (label, load, r, batches) {
  const c = r.cpu
  if (c === undefined || !batches) return null
  const per = (ms) => perBatch(ms, batches)
  const known = c.targetMs + (c.databaseMs ?? 0) + c.loadGeneratorMs
  return [label, load, fmtShare(c.machineBusyShare), fmtShare(c.stolenShare),
    fmtMs(per(c.targetMs)), c.databaseMs == null ? '–' : fmtMs(per(c.databaseMs)), fmtMs(per(c.loadGeneratorMs)),
    c.machineBusyMs == null ? '–' : fmtMs(per(Math.max(0, c.machineBusyMs - known))), fmtMs(per(c.machineBusyMs))]
}

/**
 * What the same run says any HTTP receiver could reach, next to a missed ratio: the ceiling's CPU
 * per batch plus the parse-only route's (its process and its load generator, at the same
 * connections), which every receiver pays on the same cores. At the ceiling's machine busy,
 * throughput is at most the ceiling's times the one over the other; a receiver that keeps the
 * machine busier than the ceiling did (group commit does, on SQLite) can pass it.
 */
function boundNote (ceilingMs, parseOnly, best) {
  const floor = parseOnly.find((r) => r.connections === best.connections)
  const c = floor?.cpu
  if (c === undefined || !floor.ok) return ''
  const httpMs = (c.targetMs + c.loadGeneratorMs) / floor.ok
  return `; the ceiling's work plus the parse-only route's ${fmtMs(httpMs)} is ${fmtMs(ceilingMs + httpMs)}, at most ${fmtRatio(ceilingMs / (ceilingMs + httpMs))} at the same machine busy`
}

async function runRemote (ctx) {
  const { remote, seconds } = ctx.options
  const r = await runLoad({ ...remote, rate: undefined, template: batchTemplate({ runId: ctx.runId }), connections: remote.connections, seconds,
    runId: ctx.runId, label: `remote ${remote.connections} connections`, onProgress: ctx.progress.update })
  const limited = r.statusCodes[429] ?? 0
  return {
    id,
    title,
    tables: [{ title: `${remote.url}, ${seconds} s`, columns: THROUGHPUT_COLUMNS, rows: [row('remote', r)] }],
    notes: limited > 0
      ? [`${limited} answers were 429: the project's or the IP's rate limit, not a failure of the receiver. For a throughput figure, ` +
        'PATCH the bench project to {"rate_limit_events_per_minute": 0, "rate_limit_ip_requests_per_minute": 0} first.']
      : [],
    checks: [],
    data: { remote: r }
  }
}

export async function run (ctx) {
  if (ctx.options.remote !== null) return runRemote(ctx)
  const { seconds } = ctx.options
  const rows = []
  const splitRows = []
  const checks = []
  const data = { receiver: {}, ceiling: {}, distinct: {} }
  const drift = []

  const parseOnly = await measureParseOnly(ctx, CONNECTIONS.map((c) => ({ connections: c, seconds })))
  data.parseOnly = parseOnly
  parseOnly.forEach((r) => rows.push(row('parse-only', r)))
  parseOnly.forEach((r) => splitRows.push(splitRow('parse-only', `${r.connections} conn`, r, r.ok)))

  for (const kind of ctx.options.backends) {
    ctx.progress.log(`sustained ingest on ${BACKEND_LABEL[kind]}`)
    // The ceiling before and after the receiver, put together: on a machine whose speed drifts
    // (a shared VM), the receiver is measured against the ceiling of the same minutes.
    const before = await measureCeiling(ctx, kind)
    const runs = await measureReceiver(ctx, kind)
    const after = await measureCeiling(ctx, kind)
    const ceiling = mergeCeilings([before, after])
    data.ceiling[kind] = ceiling
    data.receiver[kind] = runs
    // Not a target: what the store does when no two messages are alike (see the notes).
    const distinct = await measureCeiling(ctx, kind, { distinct: true })
    data.distinct[kind] = distinct
    rows.push(ceilingRow(before, ', before', ceiling), ceilingRow(after, ', after', ceiling), ceilingRow(ceiling, ', both'))
    runs.forEach((r) => rows.push(row(`${BACKEND_LABEL[kind]} receiver`, r, ceiling)))
    rows.push(ceilingRow(distinct, ', every message new', ceiling))
    const inserters = `${ceiling.inserters} inserter${ceiling.inserters > 1 ? 's' : ''}`
    splitRows.push(splitRow(`${BACKEND_LABEL[kind]} store, before`, inserters, before, before.batches))
    splitRows.push(splitRow(`${BACKEND_LABEL[kind]} store, after`, inserters, after, after.batches))
    runs.forEach((r) => splitRows.push(splitRow(`${BACKEND_LABEL[kind]} receiver`, `${r.connections} conn`, r, r.ok)))
    splitRows.push(splitRow(`${BACKEND_LABEL[kind]} store, every message new`, inserters, distinct, distinct.batches))
    drift.push(`${BACKEND_LABEL[kind]} ${fmtNum(before.eventsPerSecond)} → ${fmtNum(after.eventsPerSecond)} events/s`)

    const best = runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a))
    const ofCeiling = ratio(best.eventsPerSecond, ceiling.eventsPerSecond)
    const goal = TARGETS[kind]
    const ceilingMs = perBatch(ceiling.cpu?.machineBusyMs, ceiling.batches)
    const bestMs = perBatch(best.cpu?.machineBusyMs, best.ok)
    const missed = ofCeiling === null || ofCeiling < goal.ofCeiling
    const cpuNote = ceilingMs === null || bestMs === null ? '' : `; the whole machine's CPU per batch ${fmtMs(ceilingMs)} for the ceiling, ${fmtMs(bestMs)} for the receiver${missed ? boundNote(ceilingMs, parseOnly, best) : ''}`
    checks.push({ label: `${BACKEND_LABEL[kind]} sustained ingest ≥ ${goal.ofCeiling} of the storage-only ceiling`,
      value: `${fmtRatio(ofCeiling)} (${fmtNum(best.eventsPerSecond)} of ${fmtNum(ceiling.eventsPerSecond)} events/s${cpuNote})`, pass: !missed })
    if (goal.p99AtTen !== undefined) {
      const ten = runs.find((r) => r.connections === 10)
      if (ten !== undefined) {
        // Closed loop: each connection sends its next batch when the last is answered, so the mean
        // latency is connections ÷ throughput (Little's law), whatever the receiver does. Even at
        // the storage-only ceiling's rate the mean could go no lower than 10 ÷ that rate.
        const meanAt = (batchesPerSecond) => batchesPerSecond > 0 ? 10 / batchesPerSecond * 1000 : null
        const mean = meanAt(ten.batchesPerSecond)
        const least = meanAt(ceiling.batchesPerSecond)
        const littleNote = mean === null
          ? ''
          : ` (10 in flight at ${fmtNum(ten.batchesPerSecond)} batches/s: mean ${fmtMs(mean)}${least === null ? '' : `; at the ceiling's ${fmtNum(ceiling.batchesPerSecond)} batches/s: mean ${fmtMs(least)}`})`
        checks.push({ label: `${BACKEND_LABEL[kind]} p99 ≤ ${goal.p99AtTen} ms at 10 connections`,
          value: `${fmtMs(ten.latency.p99)}${littleNote}`,
          pass: ten.latency.p99 !== null && ten.latency.p99 <= goal.p99AtTen })
      }
    }
  }
  const firstCeiling = Object.values(data.ceiling)[0]
  const extraNotes = []
  const maria = data.receiver.mysql?.find((r) => r.eventsPerSecond > (data.ceiling.mysql?.eventsPerSecond ?? Infinity))
  if (maria !== undefined) {
    // Each commit waits for a redo-log flush; concurrent commits share one (group commit), so
    // more connections than the ceiling's 4 inserters can store more per second.
    extraNotes.push(`The MariaDB receiver beat the 4-inserter ceiling at ${maria.connections} connections: with ` +
      'innodb_flush_log_at_trx_commit=1 every commit waits for a log flush, and concurrent commits share one, so this ' +
      'ceiling understates what the database takes (`node bench/storage-ceiling.bench.js` measures 1 and 4 inserters).')
  }
  return {
    id,
    title,
    tables: [
      { title: `Seed batches (200 events, 300 KB), ${seconds} s per load`, columns: THROUGHPUT_COLUMNS, rows },
      ...(splitRows.some((r) => r !== null)
        ? [{ title: 'Where the CPU went: ms of CPU time per stored batch, all cores', columns: SPLIT_COLUMNS, rows: splitRows.filter((r) => r !== null) }]
        : [])
    ],
    notes: [
      `Each "store" row is the storage-only ceiling: logs.insertBatch with the same batches, no HTTP (${firstCeiling === undefined ? '' : 'SQLite 1 inserter, MariaDB 4'}). ` +
        'It is measured just before and just after the receiver, each on a fresh database; "both" puts the two together and is ' +
        `what ÷ ceiling divides by, so the machine's drift between them moves both sides of the ratio alike (here: ${drift.join('; ')}).`,
      'CPU is the target process, all threads (100% = one core); CPU/batch is its CPU time per accepted batch. The load generator and MariaDB share the same cores.',
      '"Every message new" is the ceiling again with each message of each batch made unique (its batch number appended), as a ' +
        'service that puts ids into its messages sends them: every event then adds an hourly fingerprint rollup row (at a ' +
        'scattered place in its primary key) instead of counting into one of the same 200. No target; ÷ ceiling is against "both".',
      'errors counts non-2xx answers, socket errors and timeouts.',
      'In the CPU table, "machine busy" is the share of both cores in use over the load; "target process" is the receiver, the ' +
        'parse-only route or the store alone; "MariaDB server" is read from /proc when it runs on this machine; the load generator ' +
        'is this process (autocannon and signing); "rest" is busy time none of them accounts for (other processes; the kernel\'s own work, loopback networking included, is mostly charged to the process it runs for). ' +
        'Throughput is machine busy over "all", so the receiver\'s share of the ceiling is the ceiling\'s "all" over the receiver\'s, ' +
        'times the receiver\'s machine busy over the ceiling\'s. "stolen" is the share of the cores the hypervisor gave to other ' +
        'guests (steal in /proc/stat): counted in neither busy nor "all", it is capacity a load did not have, so two loads with ' +
        'different steal differ in throughput by more than their CPU per batch says.',
      ...extraNotes
    ],
    checks,
    data
  }
}

if (isMain(import.meta.url)) runAlone(id)

// Maintenance under load: 500 000 rows past retention, then ingest p99 at a steady rate with no
// purge, then at the same rate while the purge removes them, then with no purge again. Uses POST
// /admin/purge when the receiver has it, otherwise the id-range stand-in in lib/fallback-purge.js
// (the note says which).
import { setTimeout as sleep } from 'node:timers/promises'
import { withTarget } from './lib/context.js'
import { hammer, runLoad } from './lib/load.js'
import { BACKEND_LABEL } from './lib/options.js'
import { batchTemplate } from './lib/seed-batch.js'
import { waitForQuiet } from './lib/settle.js'
import { fmtMs, fmtNum, fmtRatio, ratio, summarize } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'

export const id = 'purge-under-load'
export const title = 'Purge under load'

const AGE_HOURS = 24 * 30
const CONNECTIONS = 4
/** Offered load as a share of what the receiver managed in a short probe: busy, not saturated. */
const LOAD_SHARE = 0.5
const PURGE_TIMEOUT_S = 300
const TARGET_ROWS_PER_S = 20_000
const TARGET_P99_FACTOR = 1.25

function adminPost (target, path) {
  const { url, adminToken } = target.info
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(PURGE_TIMEOUT_S * 1000)
  })
}

async function purge (target, log, seededRows) {
  const t0 = performance.now()
  let res
  try {
    res = await adminPost(target, '/admin/purge')
  } catch (err) {
    if (err?.name !== 'TimeoutError') throw err
    // Still running after the time limit: report how far it got instead of failing the scenario.
    const { rows } = await target.call('countOlder', { cutoff: Date.now() - 72 * 3_600_000 })
    return { via: 'POST /admin/purge', ms: performance.now() - t0, deleted: seededRows - rows, timedOut: true }
  }
  if (res.status !== 404) {
    const body = await res.json().catch(() => null)
    if (res.status !== 200) throw new Error(`POST /admin/purge answered ${res.status}: ${JSON.stringify(body)}`)
    const ms = performance.now() - t0
    if (body?.ok === false) {
      // A failed run may have removed rows before it failed: count what is left.
      const { rows } = await target.call('countOlder', { cutoff: Date.now() - 72 * 3_600_000 })
      return { via: 'POST /admin/purge', ms, deleted: seededRows - rows, failed: body.error ?? 'failed', answer: body }
    }
    return { via: 'POST /admin/purge', ms, deleted: deletedIn(body), answer: body }
  }
  log('POST /admin/purge is not there yet: purging with the id-range stand-in')
  return target.call('purgeFallback', { cutoff: Date.now() - 72 * 3_600_000 })
}

/** The endpoint's answer shape is the operations engineer's; take the logs count wherever it is. */
function deletedIn (body) {
  const find = (o) => {
    if (o === null || typeof o !== 'object') return null
    for (const [k, v] of Object.entries(o)) {
      if (/logs?_(purged|deleted)|^logs$|^deleted$/.test(k) && typeof v === 'number') return v
      const inner = find(v)
      if (inner !== null) return inner
    }
    return null
  }
  return find(body)
}

async function measure (ctx, kind) {
  const { purgeRows, seconds } = ctx.options
  return withTarget(ctx, 'receiver', kind, async (target) => {
    // Traffic starts maintenance when none ran recently: run it now, on the empty database, so
    // the next one is a day away and only POST /admin/purge below removes the old rows.
    await adminPost(target, '/admin/maintain')
    ctx.progress.update(`${BACKEND_LABEL[kind]}: seeding ${fmtNum(purgeRows)} rows past retention`)
    const seeded = await target.call('seedOld', { rows: purgeRows, ageHours: AGE_HOURS })
    ctx.progress.log(`${BACKEND_LABEL[kind]}: seeded ${fmtNum(seeded.rows)} old rows in ${(seeded.ms / 1000).toFixed(1)} s`)

    const template = batchTemplate()
    const probe = await runLoad({ ...target.info, template, connections: CONNECTIONS, seconds: Math.min(3, seconds), runId: ctx.runId,
      label: `${BACKEND_LABEL[kind]} probe`, onProgress: ctx.progress.update })
    const rate = Math.max(1, Math.round(probe.batchesPerSecond * LOAD_SHARE))

    const quietLoad = (when) => runLoad({ ...target.info, template, connections: CONNECTIONS, rate, seconds, runId: ctx.runId,
      label: `${BACKEND_LABEL[kind]} ${rate} batches/s, no purge (${when})`, onProgress: ctx.progress.update })
    const before = await quietLoad('before')

    const load = hammer({ ...target.info, template, connections: CONNECTIONS, rate, seconds: PURGE_TIMEOUT_S + 10, untilStopped: true, runId: ctx.runId,
      label: `${BACKEND_LABEL[kind]} ${rate} batches/s, purging`, onProgress: ctx.progress.update })
    await sleep(1000)
    const from = performance.now()
    let purged
    try {
      purged = await purge(target, ctx.progress.log, seeded.rows)
    } finally {
      load.stop()
    }
    const to = performance.now()
    const busy = await load.done
    const during = busy.window(from, to)
    // The quiet load again once the purge's after-work is done (InnoDB purging what the deletes
    // marked), and both taken as one: on a machine whose speed drifts, the purging figures are
    // compared with quiet ones from before and after them, not from one side only.
    if (!ctx.options.quick) await waitForQuiet()
    const after = await quietLoad('after')
    const quiet = summarize([...before.samples, ...after.samples])
    return {
      kind,
      seeded,
      rate,
      quiet: { latency: quiet, ok: before.ok + after.ok, errors: before.non2xx + before.errors + after.non2xx + after.errors, before: before.latency, after: after.latency },
      purging: { latency: during, ok: during.count, errors: busy.non2xx + busy.errors },
      purge: { ...purged, rowsPerSecond: purged.deleted === null ? null : purged.deleted / (purged.ms / 1000) }
    }
  }, { env: { MAINTENANCE_INTERVAL_MINUTES: '1440' } })
}

export async function run (ctx) {
  if (ctx.options.remote !== null) throw new Error('purge-under-load needs a local database; it does not run in remote mode')
  const data = {}
  const rows = []
  const checks = []
  const notes = new Set()
  const quietSides = []
  for (const kind of ctx.options.backends) {
    ctx.progress.log(`purge under load on ${BACKEND_LABEL[kind]}`)
    const m = await measure(ctx, kind)
    data[kind] = m
    const factor = ratio(m.purging.latency.p99, m.quiet.latency.p99)
    rows.push([BACKEND_LABEL[kind], fmtNum(m.seeded.rows), `${m.rate}/s × 200`, fmtMs(m.quiet.latency.p50), fmtMs(m.quiet.latency.p99),
      fmtMs(m.purging.latency.p50), fmtMs(m.purging.latency.p99), fmtRatio(factor), fmtNum(m.purge.deleted),
      `${(m.purge.ms / 1000).toFixed(1)} s`, fmtNum(m.purge.rowsPerSecond), String(m.quiet.errors + m.purging.errors)])
    quietSides.push(`${BACKEND_LABEL[kind]} ${fmtMs(m.quiet.before.p99)} / ${fmtMs(m.quiet.after.p99)}`)
    notes.add(`Purge driven by ${m.purge.via}.`)
    if (m.purge.failed !== undefined) notes.add(`${BACKEND_LABEL[kind]}: the purge failed after ${(m.purge.ms / 1000).toFixed(0)} s ("${m.purge.failed}"); "purged" counts the rows it removed before that.`)
    if (m.purge.timedOut) notes.add(`${BACKEND_LABEL[kind]}: the purge was still running after ${PURGE_TIMEOUT_S} s; "purged" is what it had removed by then.`)
    checks.push({ label: `${BACKEND_LABEL[kind]} purge ≥ ${fmtNum(TARGET_ROWS_PER_S)} rows/s under load`, value: `${fmtNum(m.purge.rowsPerSecond)} rows/s`,
      pass: m.purge.rowsPerSecond === null ? null : m.purge.rowsPerSecond >= TARGET_ROWS_PER_S })
    checks.push({ label: `${BACKEND_LABEL[kind]} ingest p99 during the purge ≤ ${TARGET_P99_FACTOR}× p99 without`,
      value: `${fmtRatio(factor)} (${fmtMs(m.purging.latency.p99)} vs ${fmtMs(m.quiet.latency.p99)})`, pass: factor !== null && factor <= TARGET_P99_FACTOR })
  }
  return {
    id,
    title,
    tables: [{
      title: `${fmtNum(ctx.options.purgeRows)} rows past retention; ingest at half the probed capacity, ${CONNECTIONS} connections`,
      columns: ['database', 'old rows', 'offered load', 'p50 quiet', 'p99 quiet', 'p50 purging', 'p99 purging', 'p99 ratio', 'purged', 'purge time', 'rows/s', 'errors'],
      rows
    }],
    notes: [...notes, 'The quiet load runs for --seconds before the purge and again after it; "quiet" is the two together, so a ' +
      `machine whose speed drifts is compared with itself on both sides (p99 before / after: ${quietSides.join('; ')}). ` +
      'The purging figures cover exactly the time the purge ran.'],
    checks,
    data
  }
}

if (isMain(import.meta.url)) runAlone(id)

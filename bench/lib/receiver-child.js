// Runs in a child process so that its CPU and memory are the receiver's alone, and so that
// `node --cpu-prof` profiles only the receiver. The parent talks to it over IPC (receiver-process.js).
import { randomBytes } from 'node:crypto'
import { buildApp, loadConfig, openStore } from '../../server/dist/app.js'
import { fingerprint } from '../../server/dist/ingest/fingerprint.js'
import { validateBatch } from '../../server/dist/ingest/validate.js'
import { buildParseOnlyApp } from './parse-only-app.js'
import { bareInsert } from './bare-insert.js'
import { purgeByIdRange } from './fallback-purge.js'
import { countOldRows, seedOldRows } from './old-rows.js'
import { batchTemplate, bodyFor, freshTemplate } from './seed-batch.js'
import { summarize } from './stats.js'

const options = JSON.parse(process.argv[2])
const ADMIN_TOKEN = randomBytes(24).toString('base64url')

/** Per minute: the largest the configuration takes, far above anything one machine sends. */
const BENCH_LIMIT = 100_000_000

let app = null
let store = null
let projectId = null

async function start () {
  if (options.mode === 'parse-only') {
    app = await buildParseOnlyApp()
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: url.replace('localhost', '127.0.0.1'), key: 'parse-only', secret: 'parse-only' }
  }
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    ADMIN_TOKEN,
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Both limits on, as they are by default, but out of reach: every request pays for its two
    // admissions (one counter row each, shared by every request of the run), none is refused.
    RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: String(BENCH_LIMIT),
    RATE_LIMIT_IP_REQUESTS_PER_MINUTE: String(BENCH_LIMIT),
    ...options.env
  })
  store = openStore(config.databaseUrl)
  await store.migrate()
  if (options.mode === 'storage') {
    const project = await store.projects.create({ name: 'tekno-bench', key: `bench_${randomBytes(8).toString('hex')}`,
      secret: randomBytes(24).toString('hex'), retention_hours: config.retentionHours }, Date.now())
    projectId = project.id
    return { projectId }
  }
  app = await buildApp({ config, store, logger: { level: 'warn' } })
  const url = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1')
  // The project goes through the admin API, as a user's would.
  const res = await fetch(`${url}/admin/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tekno-bench-http' })
  })
  if (res.status !== 201) throw new Error(`POST /admin/projects answered ${res.status}: ${await res.text()}`)
  const created = await res.json()
  projectId = created.id
  return { url, key: created.key, secret: created.secret, projectId, adminToken: ADMIN_TOKEN }
}

/**
 * Inserts the same validated batches the receiver would store, with no HTTP in between. With
 * `distinct`, every message of every batch is new (its batch's number appended, its fingerprint
 * computed again, as validation would): each event then adds a fingerprint rollup row, the costly
 * end of a service that puts ids into its messages. With `limit`, it stops after that many batches
 * even before `seconds` are up (the seed batch's single-client row).
 */
async function ceiling ({ seconds, inserters, count, bytes, distinct = false, limit = Infinity }) {
  const nextEvents = validatedEvents({ count, bytes })
  const latencies = []
  let batches = 0
  let events = 0
  let n = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const deadline = t0 + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline && n < limit) {
      const validated = nextEvents()
      const batchNo = n++
      const batch = distinct ? validated.map((e) => withMessage(e, `${e.message} #${batchNo}`)) : validated
      const start = performance.now()
      await store.logs.insertBatch(projectId, `ceiling-${process.pid}-${batchNo}`, batch, Date.now())
      latencies.push(performance.now() - start)
      batches++
      events += batch.length
    }
  }
  await Promise.all(Array.from({ length: inserters }, worker))
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return {
    batches,
    events,
    ms,
    latency: summarize(latencies),
    // Raw, so that two measurements of the ceiling can be put together (storage-ceiling.bench.js).
    samples: latencies,
    cpuPercent: ((cpu.user + cpu.system) / 1000) / ms * 100,
    cpuMsPerBatch: batches === 0 ? null : (cpu.user + cpu.system) / 1000 / batches
  }
}

/** The simplest writer on the same database: the same rows, in one transaction a batch, into a table with only a key (bare-insert.js). */
function bare ({ warmup, batches, count, bytes }) {
  return bareInsert(options.databaseUrl, { warmup, batches, nextEvents: validatedEvents({ count, bytes }) })
}

/**
 * The validated events of a seed-like batch, as the receiver would store them, with fresh
 * timestamps every 100 ms, as the load generator sends them (seed-batch.js).
 */
function validatedEvents ({ count, bytes }) {
  let template = batchTemplate({ count, bytes })
  let events = validateBatch(JSON.parse(bodyFor(template, 'x').toString('utf8')), Date.now()).events
  return () => {
    const next = freshTemplate(template)
    if (next !== template) {
      template = next
      events = validateBatch(JSON.parse(bodyFor(template, 'x').toString('utf8')), Date.now()).events
    }
    return events
  }
}

function withMessage (event, message) {
  return { ...event, message, fingerprint: fingerprint(message, event.source, event.stack) }
}

/** Rows far past retention, in the project the receiver serves. */
function seedOld ({ rows, ageHours }) {
  return seedOldRows(options.databaseUrl, { projectId, rows, ts: Date.now() - ageHours * 3_600_000 })
}

/** Events of the bench project older than the cutoff: what a purge has yet to remove. */
function countOlder ({ cutoff }) {
  return countOldRows(options.databaseUrl, { projectId, cutoff })
}

const commands = {
  countOlder,
  stats: async () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage.rss() }),
  ceiling,
  bare,
  seedOld,
  purgeFallback: (args) => purgeByIdRange(options.databaseUrl, args),
  close: async () => {
    await app?.close()
    await store?.close()
    setImmediate(() => process.exit(0))
    return {}
  }
}

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {})
    process.send({ id, ok: true, result })
  } catch (err) {
    process.send({ id, ok: false, error: err?.stack ?? String(err) })
  }
})
process.on('disconnect', () => process.exit(0))

start().then((info) => process.send({ type: 'ready', info }), (err) => {
  process.send({ type: 'failed', error: err?.stack ?? String(err) })
  process.exit(1)
})

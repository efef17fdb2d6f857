// Times the dashboard overview's queries on one million stored events, SQLite always and
// MySQL/MariaDB when TEKNO_TEST_MYSQL_URL is set. Self-contained: `node bench/dashboard-queries.bench.js`
// (after `npm run build`). Options: EVENTS=1000000 RUNS=30.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openStore } from '../server/dist/app.js'

const EVENTS = Number(process.env.EVENTS ?? 1_000_000)
const RUNS = Number(process.env.RUNS ?? 30)
const BATCH = 2_000
const PROJECTS = 3
const FINGERPRINTS = 2_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const MYSQL_URL = process.env.TEKNO_TEST_MYSQL_URL

// A fixed, seeded generator: every run stores the same rows, so figures compare across runs.
let seed = 42
const random = () => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed / 2_147_483_648 }
const LEVELS = [[10, 0.01], [20, 0.2], [30, 0.6], [40, 0.1], [50, 0.08], [60, 0.01]]
function pickLevel () {
  let r = random()
  for (const [n, p] of LEVELS) { if ((r -= p) < 0) return n }
  return 30
}
// Zipf-like: a few fingerprints are loud, most are rare, as in a real overflow.
const pickFingerprint = () => Math.floor(FINGERPRINTS * random() ** 3)
const fingerprints = Array.from({ length: FINGERPRINTS }, (_, i) => createHash('sha1').update(`fp ${i}`).digest('hex'))

async function seedStore (store, now) {
  const ids = []
  for (let p = 0; p < PROJECTS; p++) {
    const project = await store.projects.create({ name: `bench ${p}`, key: `tkp_${randomBytes(8).toString('hex')}`, secret: 'x'.repeat(32), retention_hours: 48 }, now)
    ids.push(project.id)
  }
  const started = performance.now()
  for (let done = 0; done < EVENTS; done += BATCH) {
    const perProject = new Map(ids.map((id) => [id, []]))
    for (let i = 0; i < Math.min(BATCH, EVENTS - done); i++) {
      const f = pickFingerprint()
      const level = pickLevel()
      perProject.get(ids[f % PROJECTS]).push({
        // Spread over the last 24 h, oldest first, as ingestion would store them.
        ts: now - DAY + Math.floor(((done + i) / EVENTS) * DAY),
        level,
        message: `request ${f} failed: upstream answered 503 after retry ${f % 7}`,
        source: `svc-${f % 5}`,
        fingerprint: fingerprints[f],
        stack: level >= 50 ? `Error: request ${f} failed\n    at handler (app.js:${f}:1)` : null,
        context: level >= 40 ? JSON.stringify({ requestId: done + i }) : null
      })
    }
    for (const [id, events] of perProject) if (events.length > 0) await store.logs.insertBatch(id, null, events, now)
  }
  return { ids, seedSeconds: (performance.now() - started) / 1000 }
}

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

async function time (fn) {
  await fn() // warm: caches and statement preparation are not what an admin waits for twice
  const ms = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    await fn()
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) }
}

async function bench (kind, url, cleanup) {
  const store = openStore(url)
  try {
    await store.migrate()
    const now = Date.now()
    const { ids, seedSeconds } = await seedStore(store, now)
    console.log(`\n${kind}: seeded ${EVENTS.toLocaleString('en')} events in ${seedSeconds.toFixed(1)} s`)
    const scopes = [['one project', { projectId: ids[0] }], ['all projects', {}]]
    const rows = []
    for (const [label, scope] of scopes) {
      rows.push([`per-minute by level, last hour (${label})`, await time(() => store.stats.levelMinutes(scope, now - HOUR, now + 60_000))])
      rows.push([`top 10 fingerprints, last 24 h (${label})`, await time(() => store.stats.topFingerprints(scope, now - DAY, now + 60_000, 10))])
      rows.push([`recent errors, 20 newest (${label})`, await time(() => store.stats.recentErrors(scope, now - DAY, 20))])
    }
    console.log(`| query (${kind}, ${RUNS} runs) | p50 ms | p95 ms |`)
    console.log('| --- | ---: | ---: |')
    for (const [name, t] of rows) console.log(`| ${name} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} |`)
  } finally {
    await store.close()
    await cleanup()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tekno-bench-'))
await bench('sqlite', `sqlite:${join(dir, 'bench.sqlite')}`, async () => rmSync(dir, { recursive: true, force: true }))

if (MYSQL_URL === undefined) {
  console.log('\nMySQL/MariaDB skipped: TEKNO_TEST_MYSQL_URL is not set')
} else {
  const { default: mysql } = await import('mysql2/promise')
  const name = `tekno_bench_${process.pid}`
  const admin = await mysql.createConnection(MYSQL_URL)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  const url = new URL(MYSQL_URL)
  url.pathname = `/${name}`
  await bench('mysql', url.toString(), async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await admin.end()
  })
}

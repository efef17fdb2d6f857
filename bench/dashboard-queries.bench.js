// Times the dashboard overview's queries and text search at 1 M and 5 M stored events, SQLite
// always and MySQL/MariaDB when TEKNO_TEST_MYSQL_URL is set, with pass/fail lines against the
// targets (overview p95 ≤ 50 ms, text search p95 ≤ 200 ms). Self-contained:
// `node bench/dashboard-queries.bench.js` (after `npm run build`). Options: EVENTS=1000000,5000000
// (sizes measured in turn; each adds rows to the last) RUNS=20.
// Disk: about 0.4 GB per million events on SQLite, 0.6 GB on MariaDB (5 M: 2–3 GB), freed after.
//
// Rows are written straight into the tables in big INSERT … SELECT statements (minutes instead of
// an hour through insertBatch), and the rollups are filled from them the way migration 004
// backfills, with the text bitmaps computed by the receiver's own code.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { openStore } from '../server/dist/app.js'
import { addMessage, emptyBits, orBits, TEXT_BUCKET_MS } from '../server/dist/storage/text-bits.js'

const SIZES = (process.env.EVENTS ?? '1000000,5000000').split(',').map(Number)
const RUNS = Number(process.env.RUNS ?? 20)
const CHUNK = 100_000
const PROJECTS = 3
const FINGERPRINTS = 2_000
const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const RARE_EVERY = 250_000
const MYSQL_URL = process.env.TEKNO_TEST_MYSQL_URL
const OVERVIEW_TARGET_MS = 50
const SEARCH_TARGET_MS = 200

// Every row is a function of its sequence number: Zipf-like fingerprints (a few loud, most rare),
// levels by share, spread over the last 24 h oldest first. `seq` never repeats across sizes.
const FP = '(seq * 7919 % 1000003)'
const SQL_PARTS = {
  f: `CAST(${FINGERPRINTS} * (${FP} / 1000003.0) * (${FP} / 1000003.0) * (${FP} / 1000003.0) AS INTEGER)`,
  level: 'CASE WHEN seq % 100 < 1 THEN 10 WHEN seq % 100 < 21 THEN 20 WHEN seq % 100 < 81 THEN 30 WHEN seq % 100 < 91 THEN 40 WHEN seq % 100 < 99 THEN 50 ELSE 60 END'
}
const messageOf = (f, rare) => `request ${f} failed: upstream answered 503 after retry ${f % 7}${rare ? ' kangaroo' : ''}`
const fingerprintOf = (f) => createHash('sha1').update(`fp ${f}`).digest('hex')

// Integers go into the SQL text: better-sqlite3 binds numbers as REAL, and REAL arithmetic would
// give fractional timestamps.
async function seedSqlite (path, ids, from, to, now) {
  const db = new Database(path)
  db.pragma('busy_timeout = 5000')
  db.function('fp', { deterministic: true }, (f) => fingerprintOf(f))
  db.function('msg', { deterministic: true }, (f, seq) => messageOf(f, seq % RARE_EVERY === 0))
  const insert = db.prepare(`WITH RECURSIVE n(seq) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT seq + 1 FROM n WHERE seq < ?),
    r AS (SELECT seq, ${SQL_PARTS.f} AS f, ${SQL_PARTS.level} AS level FROM n)
    INSERT INTO logs (project_id, ts, received_at, level, message, source, fingerprint, stack, context)
    SELECT ? + f % ${PROJECTS}, ${now - DAY} + seq * ${DAY} / ${to}, ?, level, msg(f, seq), 'svc-' || (f % 5), fp(f),
      CASE WHEN level >= 50 THEN 'Error: request ' || f || ' failed' || char(10) || '    at handler (app.js:' || f || ':1)' END,
      CASE WHEN level >= 40 THEN '{"requestId":' || seq || '}' END FROM r`)
  try {
    for (let lo = from; lo <= to; lo += CHUNK) {
      db.transaction(() => insert.run(lo, Math.min(to, lo + CHUNK - 1), ids[0], now))()
    }
  } finally {
    db.close()
  }
}

async function seedMysql (conn, ids, from, to, now) {
  // seq_N_to_M is MariaDB's sequence engine: a row source with no table behind it.
  for (let lo = from; lo <= to; lo += CHUNK) {
    const hi = Math.min(to, lo + CHUNK - 1)
    await conn.query(`INSERT INTO logs (project_id, ts, received_at, level, message, source, fingerprint, stack, context)
      SELECT ? + f % ${PROJECTS}, ${now - DAY} + seq * ${DAY} DIV ${to}, ?, level,
        CONCAT('request ', f, ' failed: upstream answered 503 after retry ', f % 7, IF(seq % ${RARE_EVERY} = 0, ' kangaroo', '')),
        CONCAT('svc-', f % 5), SHA1(CONCAT('fp ', f)),
        IF(level >= 50, CONCAT('Error: request ', f, ' failed\\n    at handler (app.js:', f, ':1)'), NULL),
        IF(level >= 40, CONCAT('{"requestId":', seq, '}'), NULL)
      FROM (SELECT seq, ${SQL_PARTS.f.replace('AS INTEGER', 'AS UNSIGNED')} AS f, ${SQL_PARTS.level} AS level FROM seq_${lo}_to_${hi}) r`,
    [ids[0], now])
  }
}

/**
 * The rollups, as migration 004 backfills them, and real trigram bitmaps per minute and per
 * 10-minute bucket, computed by the receiver's own code (every event indexed, as ingestion does).
 */
async function fillRollups (sql, dialect) {
  const div = dialect === 'mysql' ? 'DIV' : '/'
  for (const t of ['log_minutes', 'log_fingerprint_hours', 'log_text_buckets', 'log_text_minutes']) await sql(`DELETE FROM ${t}`)
  await sql(`INSERT INTO log_minutes (project_id, minute, level, n, indexed) SELECT project_id, (ts ${div} 60000) * 60000, level, COUNT(*), COUNT(*) FROM logs GROUP BY 1, 2, 3`)
  await sql('INSERT INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen) ' +
    `SELECT project_id, (ts ${div} 3600000) * 3600000, fingerprint, COUNT(*), MIN(ts), MAX(ts) FROM logs GROUP BY 1, 2, 3`)
  const rows = await sql(`SELECT DISTINCT project_id, (ts ${div} ${MINUTE}) * ${MINUTE} AS minute, message FROM logs`)
  const minutes = new Map()
  for (const r of rows) {
    const key = `${r.project_id}|${r.minute}`
    if (!minutes.has(key)) minutes.set(key, { project: Number(r.project_id), minute: Number(r.minute), bits: emptyBits() })
    addMessage(minutes.get(key).bits, r.message)
  }
  const buckets = new Map()
  for (const m of minutes.values()) {
    await sql('INSERT INTO log_text_minutes (project_id, minute, bits) VALUES (?, ?, ?)', [m.project, m.minute, Buffer.from(m.bits)])
    const bucket = Math.floor(m.minute / TEXT_BUCKET_MS) * TEXT_BUCKET_MS
    const key = `${m.project}|${bucket}`
    if (!buckets.has(key)) buckets.set(key, { project: m.project, bucket, bits: emptyBits() })
    orBits(buckets.get(key).bits, m.bits)
  }
  for (const b of buckets.values()) {
    await sql('INSERT INTO log_text_buckets (project_id, bucket, bits) VALUES (?, ?, ?)', [b.project, b.bucket, Buffer.from(b.bits)])
  }
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

async function measure (kind, store, ids, now, events, seedSeconds) {
  console.log(`\n${kind}: ${events.toLocaleString('en')} events (seeded in ${seedSeconds.toFixed(0)} s)`)
  const rows = []
  const overview = (name, fn) => rows.push([name, OVERVIEW_TARGET_MS, fn])
  const search = (name, fn) => rows.push([name, SEARCH_TARGET_MS, fn])
  for (const [label, scope] of [['one project', { projectId: ids[0] }], ['all projects', {}]]) {
    overview(`per-minute by level, last hour (${label})`, () => store.stats.levelMinutes(scope, now - HOUR, now + 60_000))
    overview(`top 10 fingerprints, last 24 h (${label})`, () => store.stats.topFingerprints(scope, now - DAY, now + 60_000, 10))
    overview(`recent errors, 20 newest (${label})`, () => store.stats.recentErrors(scope, now - DAY, 20))
  }
  const loud = fingerprintOf(0)
  const rare = fingerprintOf(FINGERPRINTS - 2)
  // The dashboard's list before any filter, and with one: each project's newest, merged.
  overview('newest 100, all projects', () => store.logs.search({ limit: 100 }))
  overview('newest 100 errors, all projects', () => store.logs.search({ levels: [50], limit: 100 }))
  search('q common ("upstream answered"), all projects', () => store.logs.search({ q: 'upstream answered', limit: 100 }))
  search('q rare ("kangaroo"), all projects', () => store.logs.search({ q: 'kangaroo', limit: 100 }))
  search('q rare ("KANGAROO"), one project', () => store.logs.search({ projectId: ids[0], q: 'KANGAROO', limit: 100 }))
  search('q absent ("zebra crossing"), all projects', () => store.logs.search({ q: 'zebra crossing', limit: 100 }))
  search('fingerprint filter, loud', () => store.logs.search({ projectId: ids[0], fingerprint: loud, limit: 100 }))
  search(`fingerprint filter, rare (#${FINGERPRINTS - 2})`, () => store.logs.search({ projectId: ids[(FINGERPRINTS - 2) % PROJECTS], fingerprint: rare, limit: 100 }))
  search(`fingerprint filter, rare (#${FINGERPRINTS - 2}), all projects`, () => store.logs.search({ fingerprint: rare, limit: 100 }))
  const results = []
  for (const [name, target, fn] of rows) results.push([name, target, await time(fn)])
  console.log(`| query (${kind}, ${events.toLocaleString('en')} events, ${RUNS} runs) | p50 ms | p95 ms | target p95 | |`)
  console.log('| --- | ---: | ---: | ---: | --- |')
  for (const [name, target, t] of results) {
    console.log(`| ${name} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} | ${target} | ${t.p95 <= target ? 'pass' : 'FAIL'} |`)
  }
  const failed = results.filter(([, target, t]) => t.p95 > target).length
  console.log(`${kind} at ${events.toLocaleString('en')} events: ${failed === 0 ? 'PASS' : `FAIL (${failed} of ${results.length} over target)`}`)
}

async function bench (kind, url, seed, sql, cleanup) {
  const store = openStore(url)
  try {
    await store.migrate()
    const now = Date.now()
    const ids = []
    for (let p = 0; p < PROJECTS; p++) {
      const project = await store.projects.create({ name: `bench ${p}`, key: `tkp_${randomBytes(8).toString('hex')}`, secret: 'x'.repeat(32), retention_hours: 48 }, now)
      ids.push(project.id)
    }
    let stored = 0
    for (const size of SIZES) {
      const t0 = performance.now()
      await seed(ids, stored + 1, size, now)
      await fillRollups(sql, kind)
      stored = size
      await measure(kind, store, ids, now, size, (performance.now() - t0) / 1000)
    }
  } finally {
    await store.close()
    await cleanup()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tekno-bench-'))
const path = join(dir, 'bench.sqlite')
await bench('sqlite', `sqlite:${path}`, (ids, from, to, now) => seedSqlite(path, ids, from, to, now), async (q, params = []) => {
  const db = new Database(path)
  db.pragma('busy_timeout = 5000')
  try { return q.trimStart().startsWith('SELECT') ? db.prepare(q).all(...params) : db.prepare(q).run(...params) } finally { db.close() }
}, async () => rmSync(dir, { recursive: true, force: true }))

if (MYSQL_URL === undefined) {
  console.log('\nMySQL/MariaDB skipped: TEKNO_TEST_MYSQL_URL is not set')
} else {
  const { default: mysql } = await import('mysql2/promise')
  const name = `tekno_bench_${process.pid}`
  const admin = await mysql.createConnection(MYSQL_URL)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  const url = new URL(MYSQL_URL)
  url.pathname = `/${name}`
  const conn = await mysql.createConnection({ uri: url.toString(), charset: 'UTF8MB4_BIN', supportBigNumbers: true })
  await bench('mysql', url.toString(), (ids, from, to, now) => seedMysql(conn, ids, from, to, now),
    async (q, params = []) => (await conn.query(q, params))[0],
    async () => {
      await conn.end()
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await admin.end()
    })
}

import { levelName } from '../ingest/levels.js'
import { hourWindows, probe, sightingsByHour, type ProbedRow } from './fingerprint-hours.js'
import { HOUR_MS, hourOf } from './rollup-rows.js'
import { placeholders, type SqlRunner, type SqlValue } from './sql-runner.js'
import { mayMatch, queryBits, TEXT_BUCKET_MS, textBucketOf } from './text-bits.js'
import { textRanges, type MinuteText } from './text-minutes.js'
import type { LogPage, LogQuery, LogRow } from './store.js'

interface LogRecord {
  id: number
  project_id: number
  ts: number
  level: number
  message: string
  source: string | null
  fingerprint: string
  stack: string | null
  context: string | null
}

/**
 * Escapes LIKE wildcards (with '!') so `q` is always a literal substring. Not lower-cased here:
 * the SQL applies the dialect's own lower() to both sides, because JavaScript and MySQL fold a few
 * letters differently (final sigma, dotted capital I) and a message must match its own text.
 */
export function likePattern (q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`
}

/**
 * Keyset pagination on (ts, id) — never OFFSET — so page 500 costs what page 1 costs.
 * `lower` is the dialect's Unicode-aware lower-casing: SQLite's built-in lower() only knows ASCII,
 * so the SQLite adapter registers its own and both databases match the same rows.
 */
export async function searchLogs (db: SqlRunner, query: LogQuery, lower: string): Promise<LogPage> {
  const wanted = query.q === undefined || query.q === '' ? null : queryBits(query.q)
  const rows = wanted !== null
    ? await searchByBuckets(db, query, lower, wanted)
    : query.fingerprint !== undefined
      ? await searchByFingerprintHours(db, query, lower)
      : await selectLogs(db, query, lower, query.limit + 1)
  const more = rows.length > query.limit
  const page = more ? rows.slice(0, query.limit) : rows
  const last = page[page.length - 1]
  return {
    events: page.map(toRow),
    next: more && last !== undefined ? { ts: Number(last.ts), id: Number(last.id) } : null
  }
}

const COLUMNS = ['id', 'project_id', 'ts', 'level', 'message', 'source', 'fingerprint', 'stack', 'context']
const SELECT_LOGS = `SELECT ${COLUMNS.join(', ')} FROM logs`
const SELECT_JOINED = `SELECT ${COLUMNS.map((c) => `l.${c}`).join(', ')} FROM`

/**
 * The newest `limit` rows that match, in one project or (no projectId) in each of `among`, by
 * default every project. `keysFirst`: see selectProjectLogs.
 */
async function selectLogs (db: SqlRunner, query: LogQuery, lower: string, limit: number, keysFirst = false, among?: number[]): Promise<LogRecord[]> {
  if (query.projectId !== undefined) return selectProjectLogs(db, { ...query, projectId: query.projectId }, lower, limit, keysFirst)
  const ids = among ?? await allProjectIds(db)
  const pages = await Promise.all(ids.map((projectId) => selectProjectLogs(db, { ...query, projectId }, lower, limit, keysFirst)))
  return newestFirst(pages, limit)
}

/**
 * Every project's page newest first, cut to `limit`: each global row is among its own project's
 * first `limit`, so the merge is exact and the keyset the same as one query over all projects.
 * `logs` has no (ts, id) index of its own since migration 008 (it cost every insert and every
 * purged row a fourth index entry), so a search across projects is a search in each.
 */
export function newestFirst<R extends { ts: number, id: number }> (pages: R[][], limit: number): R[] {
  if (pages.length === 1) return pages[0] as R[]
  return pages.flat()
    .sort((a, b) => Number(b.ts) - Number(a.ts) || Number(b.id) - Number(a.id))
    .slice(0, limit)
}

export async function allProjectIds (db: SqlRunner): Promise<number[]> {
  const rows = await db.all<{ id: number }>('SELECT id FROM projects ORDER BY id')
  return rows.map((r) => Number(r.id))
}

/**
 * One project's rows, newest first.
 * `keysFirst`: pick the page's ids from the index alone, then read just those rows. For the
 * fingerprint filter, (project_id, ts, id, fingerprint) holds every column the choice needs, and
 * MariaDB otherwise reads the full row of every entry in the range before testing its
 * fingerprint (no index condition pushdown on a descending scan): 118 ms against 16.5 ms for a
 * rare fingerprint among 300 000 rows. Same rows, same order.
 */
function selectProjectLogs (db: SqlRunner, query: LogQuery & { projectId: number }, lower: string, limit: number, keysFirst: boolean): Promise<LogRecord[]> {
  const where = ['project_id = ?']
  const params: SqlValue[] = [query.projectId]
  if (query.levels !== undefined && query.levels.length > 0) {
    where.push(`level IN (${placeholders(query.levels.length)})`)
    params.push(...query.levels)
  }
  if (query.minLevel !== undefined) { where.push('level >= ?'); params.push(query.minLevel) }
  // MariaDB's utf8mb4_bin pads with spaces ('api' = 'api '); the length check makes = exact on both.
  if (query.source !== undefined) { where.push('source = ? AND LENGTH(source) = LENGTH(?)'); params.push(query.source, query.source) }
  if (query.fingerprint !== undefined) { where.push('fingerprint = ?'); params.push(query.fingerprint) }
  if (query.from !== undefined) { where.push('ts >= ?'); params.push(query.from) }
  if (query.to !== undefined) { where.push('ts < ?'); params.push(query.to) }
  if (query.q !== undefined && query.q !== '') {
    const text = textCondition(db.dialect, lower, query.q)
    where.push(text.sql)
    params.push(...text.params)
  }
  if (query.before !== undefined) {
    where.push('(ts < ? OR (ts = ? AND id < ?))')
    params.push(query.before.ts, query.before.ts, query.before.id)
  }
  const filter = (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') + ` ORDER BY ts DESC, id DESC LIMIT ${limit}`
  const sql = keysFirst
    ? `${SELECT_JOINED} (SELECT id, ts FROM logs${filter}) AS k JOIN logs AS l ON l.id = k.id ORDER BY k.ts DESC, k.id DESC`
    : `${SELECT_LOGS}${filter}`
  return db.all<LogRecord>(sql, params)
}

/**
 * `lower(message) LIKE lower(pattern)`. On SQLite `lower` is a JavaScript function, called per
 * row (3.4× the cost of the LIKE alone, measured on 70 000 rows); a message that is all ASCII
 * needs no such call, since SQLite's own LIKE already folds ASCII case and the pattern arrives
 * lower-cased by the same JavaScript toLowerCase(). Only messages with a non-ASCII character
 * (their UTF-8 length differs from their character count) take the exact, slower test. The fast
 * test never matches what the exact one would not: it folds only ASCII, and compares every other
 * character as is against an already lower-cased pattern.
 */
function textCondition (dialect: SqlRunner['dialect'], lower: string, q: string): { sql: string, params: SqlValue[] } {
  // '!' as the escape character needs no escaping itself in either dialect's string literals.
  if (dialect !== 'sqlite') return { sql: `${lower}(message) LIKE ${lower}(?) ESCAPE '!'`, params: [likePattern(q)] }
  const pattern = likePattern(q).toLowerCase()
  return {
    sql: `(message LIKE ? ESCAPE '!' OR (length(message) <> octet_length(message) AND ${lower}(message) LIKE ? ESCAPE '!'))`,
    params: [pattern, pattern]
  }
}

/** The exclusive end of the time a page may come from: `to`, or just past the keyset cursor. */
function upperBound (query: LogQuery): number {
  return Math.min(query.to ?? Infinity, query.before === undefined ? Infinity : query.before.ts + 1)
}

/** Fingerprint hours probed per round trip while walking back in time. */
const HOURS_PER_READ = 24

/**
 * The fingerprint filter without an index of `logs` on fingerprint (dropped in migration 005: it
 * cost every insert more than any other index): the hourly fingerprint rollup says in which hours
 * the fingerprint occurs, newest first (fingerprint-hours.ts), and only those hours of `logs` are
 * read, stopping as soon as the page is full. Same rows, same order, same keyset as the single query.
 */
async function searchByFingerprintHours (db: SqlRunner, query: LogQuery, lower: string): Promise<LogRecord[]> {
  const upper = upperBound(query)
  const projects = query.projectId === undefined ? await allProjectIds(db) : [query.projectId]
  const walk = {
    projects,
    size: HOURS_PER_READ,
    ...(Number.isFinite(upper) ? { below: upper } : {}),
    ...(query.from === undefined ? {} : { floor: hourOf(query.from) })
  }
  const found: LogRecord[] = []
  for await (const { hours, groups } of hourWindows(db, walk)) {
    // Each hour's first and last sighting narrow the read to the part of the hour that holds the
    // fingerprint: a rare one seen once in an hour is a seek to one ts, not a walk of the hour.
    const rows: ProbedRow[] = []
    for (const group of groups) {
      const { where, params } = probe(group, hours, query.fingerprint as string)
      rows.push(...await db.all<ProbedRow>(`SELECT project_id, hour, first_seen, last_seen FROM log_fingerprint_hours WHERE ${where}`, params))
    }
    for (const { hour, first, last, projects: among } of sightingsByHour(rows)) {
      const range = { ...query, from: Math.max(hour, first, query.from ?? -Infinity), to: Math.min(hour + HOUR_MS, last + 1, upper) }
      found.push(...await selectLogs(db, range, lower, query.limit + 1 - found.length, true, among))
      if (found.length > query.limit) return found
    }
  }
  return found
}

/** Text buckets read per round trip while walking back in time: six hours. */
const BUCKETS_PER_READ = 36

/**
 * Text search without a scan of every row: walks the 10-minute buckets newest first; in those
 * whose trigram bitmap has every trigram of `q` (text-bits.ts) it reads the minute bitmaps, and
 * runs the LIKE only in the minutes that can match (text-minutes.ts), stopping as soon as the
 * page is full. The ranges are disjoint and read newest first in (ts, id) order, so the rows come
 * out in the same order, with the same keyset, as the single query gives.
 */
async function searchByBuckets (db: SqlRunner, query: LogQuery, lower: string, wanted: number[]): Promise<LogRecord[]> {
  const scope = query.projectId === undefined ? '' : 'project_id = ? AND '
  const scopeParams: SqlValue[] = query.projectId === undefined ? [] : [query.projectId]
  const [span] = await db.all<{ lo: number | null, hi: number | null }>(
    `SELECT MIN(bucket) AS lo, MAX(bucket) AS hi FROM log_text_buckets${scope === '' ? '' : ' WHERE project_id = ?'}`, scopeParams)
  if (span?.lo == null || span.hi == null) return []
  const floor = Math.max(Number(span.lo), textBucketOf(query.from ?? -Infinity))
  const upper = Math.min(upperBound(query), Number(span.hi) + TEXT_BUCKET_MS)
  const found: LogRecord[] = []
  // `end` is the exclusive start of the next bucket to read, walking down.
  for (let end = textBucketOf(upper - 1) + TEXT_BUCKET_MS; end > floor;) {
    const start = Math.max(floor, end - BUCKETS_PER_READ * TEXT_BUCKET_MS)
    const rows = await db.all<{ project_id: number, bucket: number, bits: Uint8Array }>(
      `SELECT project_id, bucket, bits FROM log_text_buckets WHERE ${scope}bucket >= ? AND bucket < ?`, [...scopeParams, start, end])
    // Per bucket, the projects whose bitmap allows a match.
    const hits = new Map<number, Set<number>>()
    for (const r of rows) {
      if (!mayMatch(r.bits, wanted)) continue
      const bucket = Number(r.bucket)
      let projects = hits.get(bucket)
      if (projects === undefined) hits.set(bucket, projects = new Set())
      projects.add(Number(r.project_id))
    }
    for (const bucket of [...hits.keys()].sort((a, b) => b - a)) {
      const projects = [...hits.get(bucket) as Set<number>]
      for (const r of textRanges(await minutesOf(db, projects, bucket), wanted, query.projectId !== undefined)) {
        const from = Math.max(r.from, query.from ?? -Infinity)
        const to = Math.min(r.to, upper)
        if (from >= to) continue
        const range = { ...query, ...(r.projectId === null ? {} : { projectId: r.projectId }), from, to }
        found.push(...await selectLogs(db, range, lower, query.limit + 1 - found.length, false, projects))
        if (found.length > query.limit) return found
      }
    }
    end = start
  }
  return found
}

/**
 * Each minute of the bucket the projects stored events in: counts summed over levels, and its
 * bitmap. One statement, so the counts and the bitmaps come from the same snapshot (a batch
 * writes both in one transaction).
 */
async function minutesOf (db: SqlRunner, projects: number[], bucket: number): Promise<MinuteText[]> {
  const rows = await db.all<{ project_id: number, minute: number, n: number | string, indexed: number | string, bits: Uint8Array | null }>(
    'SELECT c.project_id, c.minute, c.n, c.indexed, t.bits FROM (SELECT project_id, minute, SUM(n) AS n, SUM(indexed) AS indexed ' +
    `FROM log_minutes WHERE project_id IN (${placeholders(projects.length)}) AND minute >= ? AND minute < ? GROUP BY project_id, minute) AS c ` +
    'LEFT JOIN log_text_minutes AS t ON t.project_id = c.project_id AND t.minute = c.minute',
    [...projects, bucket, bucket + TEXT_BUCKET_MS])
  return rows.map((r) => ({ projectId: Number(r.project_id), minute: Number(r.minute), n: Number(r.n), indexed: Number(r.indexed), bits: r.bits }))
}

function toRow (r: LogRecord): LogRow {
  return {
    id: Number(r.id),
    project_id: Number(r.project_id),
    ts: new Date(Number(r.ts)).toISOString(),
    level: levelName(Number(r.level)),
    message: r.message,
    source: r.source,
    fingerprint: r.fingerprint,
    stack: r.stack,
    context: r.context === null ? null : JSON.parse(r.context) as Record<string, unknown>
  }
}

export async function findBatch (db: SqlRunner, projectId: number, batchId: string): Promise<number | null> {
  const rows = await db.all<{ accepted: number }>('SELECT accepted FROM batches WHERE project_id = ? AND batch_id = ?', [projectId, batchId])
  return rows[0] === undefined ? null : Number(rows[0].accepted)
}

import { HOUR_MS, MINUTE_MS, type RollupRows, type TextBucketRow } from './rollup-rows.js'
import { boundedDelete, type SqlRunner, type SqlValue } from './sql-runner.js'
import { mergeBits, TEXT_BUCKET_MS } from './text-bits.js'

// The rollup tables (migrations/*/004_rollups.sql), written inside each batch's transaction by
// the adapters: SQLite synchronously in its writer thread, MySQL on the batch's own connection.
// A repeated batch id returns before this runs, so a retry never counts twice.

/** One synchronous statement runner: the SQLite writer thread's prepared-statement cache. */
export interface SyncSql {
  all (sql: string, params: SqlValue[]): unknown[]
  run (sql: string, params: SqlValue[]): void
}

/** The batch's own MySQL connection (inside its transaction). */
export interface AsyncSql {
  all (sql: string, params: SqlValue[]): Promise<unknown[]>
  run (sql: string, params: unknown[]): Promise<void>
}

/**
 * Bitmaps this process has read back committed, per (table, project, bucket). Bits are only ever
 * added, so when a batch's bits are all in the cached copy the database has them too and the
 * batch skips even the read (8 KiB a round trip on MySQL). Only committed reads go in: bits this
 * transaction writes may still roll back.
 */
export class TextBitsCache {
  #known = new Map<string, Uint8Array>()
  get (table: string, projectId: number, bucket: number): Uint8Array | undefined { return this.#known.get(`${table}|${projectId}|${bucket}`) }
  set (table: string, projectId: number, bucket: number, bits: Uint8Array): void {
    if (this.#known.size >= 1000) this.#known.clear()
    this.#known.set(`${table}|${projectId}|${bucket}`, bits)
  }
}

/**
 * The two trigram bitmap tables: a minute's, and a 10-minute bucket's (the union of its minutes).
 * Search reads the buckets' first, then the minutes of the buckets that can match.
 */
const TEXT_TABLES = [
  textTable('log_text_minutes', 'minute', (r) => r.textMinutes),
  textTable('log_text_buckets', 'bucket', (r) => r.textBuckets)
]

function textTable (table: string, column: string, rows: (r: RollupRows) => TextBucketRow[]) {
  const read = `SELECT bits FROM ${table} WHERE project_id = ? AND ${column} = ?`
  return {
    table,
    rows,
    read,
    readLocked: `${read} FOR UPDATE`,
    sqliteUpsert: `INSERT INTO ${table} (project_id, ${column}, bits) VALUES (?, ?, ?) ON CONFLICT (project_id, ${column}) DO UPDATE SET bits = excluded.bits`,
    mysqlTakeRow: `INSERT INTO ${table} (project_id, ${column}, bits) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE bits = bits`,
    mysqlUpdate: `UPDATE ${table} SET bits = ? WHERE project_id = ? AND ${column} = ?`
  }
}
type TextTable = ReturnType<typeof textTable>

// `indexed` counts the events that went into the minute's bitmap, which every event does here;
// it only falls short of `n` for events stored by code that kept no bitmap (migration 007).
const SQLITE_MINUTE = 'INSERT INTO log_minutes (project_id, minute, level, n, indexed) VALUES (?, ?, ?, ?, ?) ' +
  'ON CONFLICT (project_id, minute, level) DO UPDATE SET n = n + excluded.n, indexed = indexed + excluded.indexed'
const SQLITE_FINGERPRINT = 'INSERT INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen, first_received) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, hour, fingerprint) DO UPDATE SET n = n + excluded.n, ' +
  'first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen), ' +
  'first_received = MIN(first_received, excluded.first_received)'
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

const asBytes = (b: unknown): Uint8Array => b instanceof Uint8Array ? b : new Uint8Array(0)

/**
 * SQLite: one prepared upsert per row (microseconds each in the writer thread). `rows` may add up
 * a whole group commit's batches of the project (GroupRollups).
 */
export function writeRollupsSync (db: SyncSql, projectId: number, rows: RollupRows): void {
  for (const m of rows.minutes) db.run(SQLITE_MINUTE, [projectId, m.minute, m.level, m.n, m.n])
  for (const f of rows.fingerprints) db.run(SQLITE_FINGERPRINT, [projectId, f.hour, f.fingerprint, f.n, f.first_seen, f.last_seen, f.first_received])
  for (const text of TEXT_TABLES) {
    for (const t of text.rows(rows)) {
      const stored = db.all(text.read, [projectId, t.bucket])[0] as { bits: unknown } | undefined
      // Most batches of a steady service add no new trigram: nothing is written then.
      const merged = stored === undefined ? t.bits : mergeBits(asBytes(stored.bits), t.bits)
      if (merged !== null) db.run(text.sqliteUpsert, [projectId, t.bucket, asBuffer(merged)])
    }
  }
}

/**
 * MySQL: one multi-row upsert per table; rows are in key order, so two transactions of one
 * project lock shared rollup rows in the same order. Run as the transaction's last statements:
 * the row locks they take are held only until the commit that follows. `rows` may add up a whole
 * group commit's batches of the project (GroupRollups).
 */
export async function writeRollupsAsync (db: AsyncSql, projectId: number, rows: RollupRows, cache: TextBitsCache): Promise<void> {
  if (rows.minutes.length === 0) return
  await db.run('INSERT INTO log_minutes (project_id, minute, level, n, indexed) VALUES ? ' +
    'ON DUPLICATE KEY UPDATE n = n + VALUES(n), indexed = indexed + VALUES(indexed)',
  [rows.minutes.map((m) => [projectId, m.minute, m.level, m.n, m.n])])
  await db.run('INSERT INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen, first_received) VALUES ? ' +
    'ON DUPLICATE KEY UPDATE n = n + VALUES(n), first_seen = LEAST(first_seen, VALUES(first_seen)), ' +
    'last_seen = GREATEST(last_seen, VALUES(last_seen)), first_received = LEAST(first_received, VALUES(first_received))',
  [rows.fingerprints.map((f) => [projectId, f.hour, f.fingerprint, f.n, f.first_seen, f.last_seen, f.first_received])])
  for (const text of TEXT_TABLES) {
    for (const t of text.rows(rows)) await mergeBitsAsync(db, text, projectId, t, cache)
  }
}

async function mergeBitsAsync (db: AsyncSql, text: TextTable, projectId: number, t: TextBucketRow, cache: TextBitsCache): Promise<void> {
  const key = [projectId, t.bucket]
  const known = cache.get(text.table, projectId, t.bucket)
  if (known !== undefined && mergeBits(known, t.bits) === null) return
  // Whether this transaction may have created the row, whose bits it then reads back uncommitted.
  // (The upsert's row count cannot tell: mysql2 sets FOUND_ROWS, so a row found counts 1 too.)
  // A new row is created by this upsert, not after a locking read of nothing: two batches
  // holding the same gap lock would deadlock on their inserts.
  let created = false
  const takeRow = async (): Promise<void> => {
    await db.run(text.mysqlTakeRow, [...key, asBuffer(t.bits)])
    created = true
  }
  if (known === undefined) {
    // A consistent read first: when the stored bitmap already has every bit, no lock, no write.
    const [seen] = await db.all(text.read, key) as Array<{ bits: unknown }>
    if (seen === undefined) await takeRow()
    else {
      cache.set(text.table, projectId, t.bucket, asBytes(seen.bits))
      if (mergeBits(asBytes(seen.bits), t.bits) === null) return
    }
  }
  // Or the bits in under the row's lock: the locking read sees the newest committed bitmap, so a
  // concurrent batch's bits are never overwritten. A row known from the cache is locked straight
  // away (a batch that brings new trigrams skips the consistent read); it is only missing if a
  // purge took it since.
  let [locked] = await db.all(text.readLocked, key) as Array<{ bits: unknown }>
  if (locked === undefined) {
    await takeRow();
    [locked] = await db.all(text.readLocked, key) as Array<{ bits: unknown }>
  }
  // A locking read of a row this transaction did not create returns committed bits: they refresh
  // the cache. Bits this transaction wrote must not go in; it may still roll back.
  if (locked !== undefined && !created) cache.set(text.table, projectId, t.bucket, asBytes(locked.bits))
  const merged = mergeBits(asBytes(locked?.bits), t.bits)
  if (merged !== null) await db.run(text.mysqlUpdate, [asBuffer(merged), ...key])
}

/** The rollup tables: primary key, bucket column and bucket length. log_minutes stays last: a
 * project removal deletes in this order and finds one cut short by its minutes (project-removal.ts). */
export const ROLLUP_TABLES = [
  { table: 'log_fingerprint_hours', keys: 'project_id, hour, fingerprint', bucket: 'hour', size: HOUR_MS },
  { table: 'log_text_buckets', keys: 'project_id, bucket', bucket: 'bucket', size: TEXT_BUCKET_MS },
  { table: 'log_text_minutes', keys: 'project_id, minute', bucket: 'minute', size: MINUTE_MS },
  { table: 'log_minutes', keys: 'project_id, minute, level', bucket: 'minute', size: MINUTE_MS }
] as const

/**
 * Deletes at most `limit` rows of each rollup table whose bucket lies wholly before `cutoff`;
 * true when some table may hold more. The bucket that straddles the cutoff stays whole until it
 * is wholly past: the overview counts it whole (docs/dashboard.md).
 */
export async function purgeRollups (db: SqlRunner, projectId: number, cutoff: number, limit: number): Promise<{ deleted: number, more: boolean }> {
  let deleted = 0
  let more = false
  for (const { table, keys, bucket, size } of ROLLUP_TABLES) {
    const n = await boundedDelete(db, table, keys, `project_id = ? AND ${bucket} <= ?`, [projectId, cutoff - size], limit)
    deleted += n
    if (n >= limit) more = true
  }
  return { deleted, more }
}

import { HOUR_MS, MINUTE_MS, rollupRows, type RollupEvent } from './rollup-rows.js'
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
 * Bitmaps this process has read back committed, per (project, bucket). Bits are only ever
 * added, so when a batch's bits are all in the cached copy the database has them too and the
 * batch skips even the read (8 KiB a round trip on MySQL). Only committed reads go in: bits this
 * transaction writes may still roll back.
 */
export class TextBitsCache {
  #known = new Map<string, Uint8Array>()
  get (projectId: number, bucket: number): Uint8Array | undefined { return this.#known.get(`${projectId}|${bucket}`) }
  set (projectId: number, bucket: number, bits: Uint8Array): void {
    if (this.#known.size >= 1000) this.#known.clear()
    this.#known.set(`${projectId}|${bucket}`, bits)
  }
}

const SQLITE_MINUTE = 'INSERT INTO log_minutes (project_id, minute, level, n) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (project_id, minute, level) DO UPDATE SET n = n + excluded.n'
const SQLITE_FINGERPRINT = 'INSERT INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen, first_received) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, hour, fingerprint) DO UPDATE SET n = n + excluded.n, ' +
  'first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen), ' +
  'first_received = MIN(first_received, excluded.first_received)'
const SQLITE_TEXT = 'INSERT INTO log_text_buckets (project_id, bucket, bits) VALUES (?, ?, ?) ' +
  'ON CONFLICT (project_id, bucket) DO UPDATE SET bits = excluded.bits'
const READ_BITS = 'SELECT bits FROM log_text_buckets WHERE project_id = ? AND bucket = ?'

const asBytes = (b: unknown): Uint8Array => b instanceof Uint8Array ? b : new Uint8Array(0)

/** SQLite: one prepared upsert per row (microseconds each in the writer thread). */
export function writeRollupsSync (db: SyncSql, projectId: number, events: readonly RollupEvent[], receivedAt: number): void {
  if (events.length === 0) return
  const rows = rollupRows(events)
  for (const m of rows.minutes) db.run(SQLITE_MINUTE, [projectId, m.minute, m.level, m.n])
  for (const f of rows.fingerprints) db.run(SQLITE_FINGERPRINT, [projectId, f.hour, f.fingerprint, f.n, f.first_seen, f.last_seen, receivedAt])
  for (const t of rows.text) {
    const stored = db.all(READ_BITS, [projectId, t.bucket])[0] as { bits: unknown } | undefined
    // Most batches of a steady service add no new trigram: nothing is written then.
    const merged = stored === undefined ? t.bits : mergeBits(asBytes(stored.bits), t.bits)
    if (merged !== null) db.run(SQLITE_TEXT, [projectId, t.bucket, Buffer.from(merged.buffer, merged.byteOffset, merged.byteLength)])
  }
}

/**
 * MySQL: one multi-row upsert per table; rows are in key order, so two batches of one project
 * lock shared rollup rows in the same order. Run as the batch's last statements: the row locks
 * they take are held only until the commit that follows.
 */
export async function writeRollupsAsync (db: AsyncSql, projectId: number, events: readonly RollupEvent[], receivedAt: number, cache: TextBitsCache): Promise<void> {
  if (events.length === 0) return
  const rows = rollupRows(events)
  await db.run('INSERT INTO log_minutes (project_id, minute, level, n) VALUES ? ON DUPLICATE KEY UPDATE n = n + VALUES(n)',
    [rows.minutes.map((m) => [projectId, m.minute, m.level, m.n])])
  await db.run('INSERT INTO log_fingerprint_hours (project_id, hour, fingerprint, n, first_seen, last_seen, first_received) VALUES ? ' +
    'ON DUPLICATE KEY UPDATE n = n + VALUES(n), first_seen = LEAST(first_seen, VALUES(first_seen)), ' +
    'last_seen = GREATEST(last_seen, VALUES(last_seen)), first_received = LEAST(first_received, VALUES(first_received))',
  [rows.fingerprints.map((f) => [projectId, f.hour, f.fingerprint, f.n, f.first_seen, f.last_seen, receivedAt])])
  for (const t of rows.text) {
    const known = cache.get(projectId, t.bucket)
    if (known !== undefined && mergeBits(known, t.bits) === null) continue
    const bits = Buffer.from(t.bits.buffer, t.bits.byteOffset, t.bits.byteLength)
    // A consistent read first: when the stored bitmap already has every bit, no lock, no write.
    const seen = await db.all(READ_BITS, [projectId, t.bucket]) as Array<{ bits: unknown }>
    if (seen[0] !== undefined) cache.set(projectId, t.bucket, asBytes(seen[0].bits))
    if (seen[0] !== undefined && mergeBits(asBytes(seen[0].bits), t.bits) === null) continue
    // Else or the bits in under the row's lock: the upsert takes (or creates) it, the locking read
    // sees the newest committed bitmap, so a concurrent batch's bits are never overwritten.
    await db.run('INSERT INTO log_text_buckets (project_id, bucket, bits) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE bits = bits',
      [projectId, t.bucket, bits])
    const [locked] = await db.all(`${READ_BITS} FOR UPDATE`, [projectId, t.bucket]) as Array<{ bits: unknown }>
    const merged = mergeBits(asBytes(locked?.bits), t.bits)
    if (merged !== null) {
      await db.run('UPDATE log_text_buckets SET bits = ? WHERE project_id = ? AND bucket = ?',
        [Buffer.from(merged.buffer, merged.byteOffset, merged.byteLength), projectId, t.bucket])
    }
  }
}

/** The rollup tables: primary key, bucket column and bucket length. log_minutes stays last: a
 * project removal deletes in this order and finds one cut short by its minutes (project-removal.ts). */
export const ROLLUP_TABLES = [
  { table: 'log_fingerprint_hours', keys: 'project_id, hour, fingerprint', bucket: 'hour', size: HOUR_MS },
  { table: 'log_text_buckets', keys: 'project_id, bucket', bucket: 'bucket', size: TEXT_BUCKET_MS },
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

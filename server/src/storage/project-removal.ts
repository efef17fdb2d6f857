import type { SqlRunner } from './sql-runner.js'

// Deleting a project's data a slice at a time: one DELETE of millions of rows would hold the
// SQLite writer (every project's ingest) or a MySQL transaction for as long as it takes. Each
// slice is a statement of its own, so batches of other projects go in between.

export const REMOVAL_SLICE = 5000

/**
 * Every table holding a project's rows, with the key a slice is chosen by. `log_minutes` comes
 * last: while any of a deleted project's data is left, its per-minute rows are too, which is how
 * `leftoverProjectIds` finds a removal that a crash cut short.
 */
const TABLES: ReadonlyArray<[table: string, key: string]> = [
  ['logs', 'id'],
  ['batches', 'project_id, batch_id'],
  ['log_fingerprint_hours', 'project_id, hour, fingerprint'],
  ['log_text_buckets', 'project_id, bucket'],
  ['log_minutes', 'project_id, minute, level']
]

/** Deletes everything stored for `projectId`, `slice` rows per statement. */
export async function removeProjectData (db: SqlRunner, projectId: number, slice = REMOVAL_SLICE): Promise<void> {
  const n = Math.trunc(slice)
  for (const [table, key] of TABLES) {
    // SQLite's default build has no DELETE … LIMIT: it deletes by a limited key subquery.
    const sql = db.dialect === 'mysql'
      ? `DELETE FROM ${table} WHERE project_id = ? LIMIT ${n}`
      : `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE project_id = ? LIMIT ${n})`
    while ((await db.run(sql, [projectId])).affectedRows >= n) { /* the next slice */ }
  }
}

/**
 * Ids that still have stored rows but no project: a removal cut short by a crash, or a batch that
 * was being stored while its project was deleted. One index seek per id, however many rows.
 */
export async function leftoverProjectIds (db: SqlRunner, liveIds: ReadonlySet<number>): Promise<number[]> {
  const gone: number[] = []
  for (let after = -1; ;) {
    const [row] = await db.all<{ id: number | null }>('SELECT MIN(project_id) AS id FROM log_minutes WHERE project_id > ?', [after])
    if (row?.id == null) return gone
    after = Number(row.id)
    if (!liveIds.has(after)) gone.push(after)
  }
}

import { ROLLUP_TABLES } from './rollup-store.js'
import { boundedDelete, type SqlRunner } from './sql-runner.js'

// Deleting a project's data a slice at a time: one DELETE of millions of rows would hold the
// SQLite writer (every project's ingest) or a MySQL transaction for as long as it takes. Each
// slice is a statement of its own, so batches of other projects go in between.

export const REMOVAL_SLICE = 5000

/**
 * Every table holding a project's rows, with the key a slice is chosen by. `log_minutes` comes
 * last (ROLLUP_TABLES ends with it): while any of a deleted project's data is left, its
 * per-minute rows are too, which is how `leftoverProjectIds` finds a removal a crash cut short.
 */
const TABLES: ReadonlyArray<{ table: string, keys: string }> = [
  { table: 'logs', keys: 'id' },
  { table: 'batches', keys: 'project_id, batch_id' },
  ...ROLLUP_TABLES
]

/** Deletes everything stored for `projectId`, `slice` rows per statement. */
export async function removeProjectData (db: SqlRunner, projectId: number, slice = REMOVAL_SLICE): Promise<void> {
  for (const { table, keys } of TABLES) {
    while (await boundedDelete(db, table, keys, 'project_id = ?', [projectId], slice) >= slice) { /* the next slice */ }
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

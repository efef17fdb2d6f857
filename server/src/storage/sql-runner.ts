// The tiny surface both drivers share, so SQL that is the same on SQLite and MySQL is written
// once (project-store.ts, log-search.ts). Statements that differ stay in the adapters, except the
// one bounded DELETE below that purges and removals share.

export type SqlValue = string | number | null | Buffer

export interface RunResult {
  affectedRows: number
  insertId: number
}

export interface SqlRunner {
  readonly dialect: 'sqlite' | 'mysql'
  all<T = Record<string, unknown>> (sql: string, params?: SqlValue[]): Promise<T[]>
  run (sql: string, params?: SqlValue[]): Promise<RunResult>
}

/** `?, ?, ?` for an IN list of `n` values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ')

/**
 * Deletes at most `limit` rows of `table` matching `where`; returns how many went. Bounded
 * deletes keep each statement short, so a big purge or removal never holds a long lock. SQLite's
 * default build has no DELETE … LIMIT, so there it deletes by a limited subquery on `keys`.
 */
export async function boundedDelete (db: SqlRunner, table: string, keys: string, where: string, params: SqlValue[], limit: number): Promise<number> {
  const n = Math.trunc(limit)
  const sql = db.dialect === 'mysql'
    ? `DELETE FROM ${table} WHERE ${where} LIMIT ${n}`
    : `DELETE FROM ${table} WHERE (${keys}) IN (SELECT ${keys} FROM ${table} WHERE ${where} LIMIT ${n})`
  return (await db.run(sql, params)).affectedRows
}

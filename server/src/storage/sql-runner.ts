// The tiny surface both drivers share, so SQL that is the same on SQLite and MySQL is written
// once (project-store.ts, log-search.ts). Statements that differ stay in the adapters.

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

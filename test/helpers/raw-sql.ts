import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'

export type Row = Record<string, unknown>

/**
 * One statement of plain SQL on a test database, outside the store: for what its interface
 * leaves out (rollup rows, indexes, a migration undone, a crash half-way). Rows for a query,
 * none for anything else. A connection of its own each time, closed before it returns.
 */
export async function rawSql (url: string, text: string): Promise<Row[]> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length))
    try {
      const stmt = db.prepare(text)
      return stmt.reader ? stmt.all() as Row[] : (stmt.run(), [])
    } finally { db.close() }
  }
  const conn = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: false })
  try {
    const [rows] = await conn.query(text)
    return Array.isArray(rows) ? rows as Row[] : []
  } finally { await conn.end() }
}

/** The names of the logs table's own indexes (not its primary key), sorted. */
export async function logIndexes (url: string): Promise<string[]> {
  return tableIndexes(url, 'logs')
}

/** The names of a table's own indexes (not its primary key), sorted. */
export async function tableIndexes (url: string, table: string): Promise<string[]> {
  const rows = await rawSql(url, url.startsWith('sqlite:')
    ? `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' AND sql IS NOT NULL`
    : `SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '${table}' AND index_name <> 'PRIMARY'`)
  return rows.map((r) => String(r.name)).sort()
}

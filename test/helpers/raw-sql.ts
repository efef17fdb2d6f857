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

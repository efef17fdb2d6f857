import { setImmediate as yieldToIo } from 'node:timers/promises'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'

// Stands in for POST /admin/purge while the receiver has none: deletes rows past the cutoff in
// id ranges, one short statement each, yielding between them so requests interleave. It runs
// inside the receiver process, on its own connection, so on SQLite it blocks the same event loop
// a built-in purge would.

const RANGE = 5_000

export async function purgeByIdRange (databaseUrl, { cutoff, range = RANGE }) {
  const db = databaseUrl.startsWith('mysql://') ? await mysqlRunner(databaseUrl) : sqliteRunner(databaseUrl.slice('sqlite:'.length))
  const t0 = performance.now()
  let deleted = 0
  let statements = 0
  try {
    const [bounds] = await db.all('SELECT MIN(id) AS lo, MAX(id) AS hi FROM logs WHERE ts < ?', [cutoff])
    const lo = Number(bounds?.lo ?? 0)
    const hi = Number(bounds?.hi ?? -1)
    for (let from = lo; from <= hi; from += range) {
      deleted += await db.run('DELETE FROM logs WHERE id >= ? AND id < ? AND ts < ?', [from, from + range, cutoff])
      statements++
      await yieldToIo()
    }
    await db.run('DELETE FROM batches WHERE received_at < ?', [cutoff])
  } finally {
    await db.close()
  }
  const ms = performance.now() - t0
  return { deleted, statements, ms, rowsPerSecond: deleted / (ms / 1000), via: 'bench id-range fallback' }
}

function sqliteRunner (path) {
  const db = new Database(path)
  db.pragma('busy_timeout = 5000')
  return {
    all: async (sql, params) => db.prepare(sql).all(...params),
    run: async (sql, params) => db.prepare(sql).run(...params).changes,
    close: async () => db.close()
  }
}

async function mysqlRunner (url) {
  const conn = await mysql.createConnection(url)
  return {
    all: async (sql, params) => (await conn.query(sql, params))[0],
    run: async (sql, params) => (await conn.query(sql, params))[0].affectedRows,
    close: () => conn.end()
  }
}

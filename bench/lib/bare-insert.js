import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import { summarize } from './stats.js'

// The plainest writer's latency on the same database: the same rows the receiver stores, written
// the simplest way there is, into a table with the receiver's columns and nothing but a primary
// key (no secondary index, no rollup, no batch id, no rate counter). It is a reference, not a
// bound: the store's own design can do better (SQLite's checkpointer, off the writing thread, is
// one such case). When even this is far above the seed batch's p99 target, the database is what
// the target has to be read against.

const TABLE = 'bench_bare_logs'
const COLUMNS = '(project_id, ts, received_at, level, message, source, fingerprint, stack, context)'

const MYSQL_TABLE = `CREATE TABLE ${TABLE} (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, project_id INT UNSIGNED NOT NULL, ` +
  'ts BIGINT NOT NULL, received_at BIGINT NOT NULL, level TINYINT UNSIGNED NOT NULL, message MEDIUMTEXT NOT NULL, ' +
  'source VARCHAR(255) NULL, fingerprint VARCHAR(64) NOT NULL, stack MEDIUMTEXT NULL, context MEDIUMTEXT NULL, ' +
  'PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
const SQLITE_TABLE = `CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, ts INTEGER NOT NULL, ` +
  'received_at INTEGER NOT NULL, level INTEGER NOT NULL, message TEXT NOT NULL, source TEXT, fingerprint TEXT NOT NULL, ' +
  'stack TEXT, context TEXT)'

const row = (e, now) => [1, e.ts, now, e.level, e.message, e.source, e.fingerprint, e.stack, e.context]

/**
 * Writes `batches` batches one after another, each in a transaction of its own, and answers
 * their latencies. MariaDB: one prepared multi-row INSERT a batch, on one connection, as a
 * straightforward mysql2 receiver would. SQLite: a prepared single-row INSERT a row (the fastest
 * form in better-sqlite3) on this thread, in a file of its own beside the receiver's, in WAL mode
 * with synchronous=NORMAL and SQLite's own checkpoints, as a straightforward receiver would.
 * `nextEvents` gives each batch's events (fresh timestamps, as the load generator sends); the
 * first `warmup` batches are not counted.
 */
export async function bareInsert (databaseUrl, { warmup = 0, batches, nextEvents }) {
  const latencies = databaseUrl.startsWith('mysql://')
    ? await bareMysql(databaseUrl, warmup + batches, nextEvents)
    : await bareSqlite(`${databaseUrl.slice('sqlite:'.length)}.bare`, warmup + batches, nextEvents)
  return summarize(latencies.slice(warmup))
}

async function bareMysql (databaseUrl, batches, nextEvents) {
  const conn = await mysql.createConnection(databaseUrl)
  const latencies = []
  try {
    await conn.query(MYSQL_TABLE)
    for (let i = 0; i < batches; i++) {
      const events = nextEvents()
      const start = performance.now()
      const now = Date.now()
      const params = []
      for (const e of events) params.push(...row(e, now))
      await conn.beginTransaction()
      await conn.execute(`INSERT INTO ${TABLE} ${COLUMNS} VALUES ${events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, params)
      await conn.commit()
      latencies.push(performance.now() - start)
    }
    await conn.query(`DROP TABLE ${TABLE}`)
  } finally {
    await conn.end()
  }
  return latencies
}

async function bareSqlite (path, batches, nextEvents) {
  const db = new Database(path)
  const latencies = []
  try {
    db.pragma('page_size = 16384')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(SQLITE_TABLE)
    const insert = db.prepare(`INSERT INTO ${TABLE} ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const insertAll = db.transaction((events, now) => { for (const e of events) insert.run(row(e, now)) })
    for (let i = 0; i < batches; i++) {
      const events = nextEvents()
      const start = performance.now()
      insertAll(events, Date.now())
      latencies.push(performance.now() - start)
      // The receiver's client waits for its answer before the next batch: let the loop turn too.
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    db.close()
  }
  return latencies
}

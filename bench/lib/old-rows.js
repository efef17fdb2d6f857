import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'

// Rows past retention for the purge scenario, written straight into the logs table in big
// INSERT … SELECT statements: half a million rows in seconds instead of minutes through HTTP.
// The columns are the receiver's (migrations/*/001); each row is about 1 KB, like a real event.

const CHUNK = 50_000
const PAD = 'x'.repeat(800)

export async function seedOldRows (databaseUrl, { projectId, rows, ts }) {
  const t0 = performance.now()
  if (databaseUrl.startsWith('mysql://')) {
    const conn = await mysql.createConnection(databaseUrl)
    try {
      for (let from = 1; from <= rows; from += CHUNK) {
        const to = Math.min(rows, from + CHUNK - 1)
        // seq_N_to_M is MariaDB's sequence engine: a row source with no table behind it.
        await conn.query('INSERT INTO logs (project_id, ts, received_at, level, message, source, fingerprint, stack, context) ' +
          `SELECT ?, ? + seq, ? + seq, (seq % 6 + 1) * 10, CONCAT('old event ', seq, ' ', ?), 'tekno-bench', LPAD(HEX(seq % 500), 40, '0'), NULL, '{"seeded":true}' FROM seq_${from}_to_${to}`,
        [projectId, ts, ts, PAD])
      }
    } finally {
      await conn.end()
    }
  } else {
    const db = new Database(databaseUrl.slice('sqlite:'.length))
    db.pragma('busy_timeout = 5000')
    const insert = db.prepare('WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?) ' +
      'INSERT INTO logs (project_id, ts, received_at, level, message, source, fingerprint, stack, context) ' +
      "SELECT ?, ? + i, ? + i, (i % 6 + 1) * 10, 'old event ' || i || ' ' || ?, 'tekno-bench', printf('%040x', i % 500), NULL, '{\"seeded\":true}' FROM n")
    try {
      for (let from = 1; from <= rows; from += CHUNK) {
        insert.run(from, Math.min(rows, from + CHUNK - 1), projectId, ts, ts, PAD)
      }
    } finally {
      db.close()
    }
  }
  return { rows, ms: performance.now() - t0 }
}

/** How many rows of the project are older than the cutoff (to report a purge that ran out of time). */
export async function countOldRows (databaseUrl, { projectId, cutoff }) {
  const sql = 'SELECT COUNT(*) AS n FROM logs WHERE project_id = ? AND ts < ?'
  if (databaseUrl.startsWith('mysql://')) {
    const conn = await mysql.createConnection(databaseUrl)
    try {
      const [rows] = await conn.query(sql, [projectId, cutoff])
      return { rows: Number(rows[0].n) }
    } finally {
      await conn.end()
    }
  }
  const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true })
  try {
    return { rows: Number(db.prepare(sql).get(projectId, cutoff).n) }
  } finally {
    db.close()
  }
}

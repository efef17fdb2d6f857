import mysql from 'mysql2/promise'
import t from 'tap'
import { openStore } from '../../../server/dist/app.js'
import { TextBitsCache, writeRollupsAsync, type AsyncSql } from '../../../server/dist/storage/rollup-store.js'
import { rollupRows } from '../../../server/dist/storage/rollup-rows.js'
import { mayMatch, queryBits } from '../../../server/dist/storage/text-bits.js'
import { backends, createBackend } from '../../helpers/backends.js'

// MySQL keeps, per process, the trigram bitmaps it has seen committed, and skips writing bits
// they already hold. A batch rolled back (a deadlock victim, a lost connection) must leave
// nothing in that cache: its retry has to write the bitmaps again, or text search would skip the
// bucket that holds its events.

const T0 = Date.UTC(2026, 10, 28, 11, 0, 0)
const events = [{ ts: T0 + 5, level: 50, message: 'a kangaroo in the data centre', fingerprint: 'f' }]

if (backends().includes('mysql')) {
  t.test('mysql: a rolled-back batch\'s bitmaps are written again by its retry', async (t) => {
    const backend = await createBackend('mysql')
    t.teardown(() => backend.destroy())
    const store = openStore(backend.databaseUrl)
    await store.migrate()
    const p = await store.projects.create({ name: 'p', key: 'tkp_p', secret: 's'.repeat(32), retention_hours: 48 }, T0)
    await store.close()
    const conn = await mysql.createConnection(backend.databaseUrl)
    t.teardown(() => conn.end())
    const db: AsyncSql = {
      all: async (sql, params) => (await conn.query(sql, params))[0] as unknown[],
      run: async (sql, params) => { await conn.query(sql, params) }
    }
    const cache = new TextBitsCache()

    await conn.beginTransaction()
    await writeRollupsAsync(db, p.id, rollupRows(events, T0), cache)
    await conn.rollback()

    await conn.beginTransaction()
    await writeRollupsAsync(db, p.id, rollupRows(events, T0), cache)
    await conn.commit()

    const wanted = queryBits('kangaroo') as number[]
    for (const table of ['log_text_buckets', 'log_text_minutes']) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT bits FROM ${table} WHERE project_id = ?`, [p.id])
      t.equal(rows.length, 1, `${table}: the retry wrote its row`)
      t.ok(rows[0] !== undefined && mayMatch(rows[0].bits as Uint8Array, wanted), `${table}: with the batch's trigrams`)
    }
  })
} else {
  // SQLite writes its bitmaps in its writer thread, with no cache: this is MySQL's alone.
  t.pass('MySQL/MariaDB bitmap cache test not run: set TEKNO_TEST_MYSQL_URL to run it')
}

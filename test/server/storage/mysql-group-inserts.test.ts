import mysql from 'mysql2/promise'
import t, { type Test } from 'tap'
import { MysqlStore } from '../../../server/dist/storage/mysql/mysql-store.js'
import type { StoredEvent } from '../../../server/dist/ingest/validate.js'
import { backends } from '../../helpers/backends.js'
import { createMysqlDatabase } from '../../helpers/mysql.js'

// MySQL writes a group commit's events in a few multi-row INSERTs that cross batch boundaries
// (insert-chunks.ts). Every event must still be stored once, under its own project and receive
// time, in its batch's order, and a group that is rolled back and retried batch by batch must
// leave no row of the attempt behind.

const T0 = Date.UTC(2026, 10, 29, 9, 0, 0)
/** Twelve at once: two go straight to the database, the other ten wait and go as one group. */
const BATCHES = 12

function batchOf (tag: string, n: number): StoredEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + i,
    level: 30,
    message: `${tag} event ${i}`,
    source: i % 2 === 0 ? 'api' : null,
    fingerprint: `${tag}-f`,
    stack: i % 5 === 0 ? `Error: ${tag}\n    at x (/srv/a.js:1:1)` : null,
    context: JSON.stringify({ tag, i, pad: 'ü€'.repeat(300) })
  }))
}

interface Row { id: number, project_id: number, received_at: number, message: string, source: string | null, stack: string | null, context: string | null }

async function storedRows (url: string): Promise<Row[]> {
  const conn = await mysql.createConnection({ uri: url, supportBigNumbers: true })
  try {
    const [rows] = await conn.query('SELECT id, project_id, received_at, message, source, stack, context FROM logs ORDER BY id')
    return (rows as Row[]).map((r) => ({ ...r, id: Number(r.id), received_at: Number(r.received_at) }))
  } finally {
    await conn.end()
  }
}

/** Each batch's events stored once, under its project and receive time, ids rising in its order. */
function checkBatches (t: Test, rows: Row[], sent: Array<{ tag: string, projectId: number, now: number, events: StoredEvent[] }>): void {
  t.equal(rows.length, sent.reduce((sum, b) => sum + b.events.length, 0), 'every event stored, none twice')
  for (const b of sent) {
    const mine = rows.filter((r) => r.message.startsWith(`${b.tag} `))
    t.same(mine.map((r) => r.message), b.events.map((e) => e.message), `${b.tag}: its events, in its order`)
    t.ok(mine.every((r) => r.project_id === b.projectId && r.received_at === b.now), `${b.tag}: its project and receive time`)
    t.same(mine.map((r) => [r.source, r.stack, r.context]), b.events.map((e) => [e.source, e.stack, e.context]), `${b.tag}: every column as sent`)
  }
}

if (backends().includes('mysql')) {
  for (const { label, maxInsertBytes, size } of [
    { label: 'a 20 KB budget: about 15 rows an INSERT', maxInsertBytes: 20_000, size: 30 },
    { label: 'the default budget: 1000-row INSERTs', maxInsertBytes: undefined, size: 250 }
  ]) {
    t.test(`mysql, ${label}`, async (t) => {
      const db = await createMysqlDatabase()
      t.teardown(() => db.drop())
      const store = new MysqlStore(db.url, { maxInsertBytes })
      t.teardown(() => store.close())
      await store.migrate()
      const a = await store.projects.create({ name: 'a', key: 'tkp_a', secret: 's'.repeat(32), retention_hours: 48 }, T0)
      const b = await store.projects.create({ name: 'b', key: 'tkp_b', secret: 's'.repeat(32), retention_hours: 48 }, T0)

      const sent = Array.from({ length: BATCHES }, (_, k) => ({
        tag: `b${k}`, projectId: k % 3 === 0 ? b.id : a.id, now: T0 + 1000 + k, events: batchOf(`b${k}`, size)
      }))
      const results = await Promise.all(sent.map((s) => store.logs.insertBatch(s.projectId, s.tag, s.events, s.now)))
      t.same(results, sent.map(() => ({ accepted: size, duplicate: false })), 'every batch accepted')
      checkBatches(t, await storedRows(db.url), sent)

      // A retry of a stored batch in the next group rolls the group back after its INSERTs, and
      // each batch goes alone: the retry is answered as a duplicate, the rest stored once.
      const more = Array.from({ length: BATCHES }, (_, k) => ({
        tag: `c${k}`, projectId: k % 2 === 0 ? a.id : b.id, now: T0 + 2000 + k, events: batchOf(`c${k}`, size)
      }))
      const retry = { ...sent[5] as typeof sent[number], now: T0 + 3000 }
      const calls = [...more.slice(0, 6), retry, ...more.slice(6)]
      const answers = await Promise.all(calls.map((s) => store.logs.insertBatch(s.projectId, s.tag, s.events, s.now)))
      t.same(answers[6], { accepted: size, duplicate: true }, 'the retry is acknowledged as the stored batch')
      t.same(answers.filter((_, i) => i !== 6), more.map(() => ({ accepted: size, duplicate: false })), 'the others stored')
      checkBatches(t, await storedRows(db.url), [...sent, ...more])
    })
  }
} else {
  t.pass('MySQL/MariaDB group insert suite not run: set TEKNO_TEST_MYSQL_URL to run it')
}

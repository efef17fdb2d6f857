import t from 'tap'
import { openStore } from '../../../server/dist/app.js'
import { backends, createBackend } from '../../helpers/backends.js'
import { rawSql } from '../../helpers/raw-sql.js'
import { event } from './store-behaviour.js'

// Migration 007 adds the minute bitmaps of text search. Events stored before it (or by a receiver
// of an older version) are in no minute bitmap; `log_minutes.indexed` says so, and text search
// must still find them, also once newer events have given their minute a bitmap.

const T0 = Date.parse('2026-11-28T09:00:00.000Z')
const MINUTE = 60_000

for (const kind of backends()) {
  t.test(`${kind}: 007 applied to a database that already holds events`, async (t) => {
    const backend = await createBackend(kind)
    t.teardown(() => backend.destroy())
    const store = openStore(backend.databaseUrl)
    t.teardown(() => store.close())
    await store.migrate()
    const p = await store.projects.create({ name: 'p', key: 'key-p', secret: 'secret-p', retention_hours: 48 }, T0)
    // Ten minutes of events; minute 3 holds the rare word.
    for (let m = 0; m < 10; m++) {
      await store.logs.insertBatch(p.id, `b${m}`, Array.from({ length: 20 }, (_, i) =>
        event({ message: m === 3 && i === 7 ? 'a kangaroo in the server room' : `request ${m}-${i} served`, ts: T0 + m * MINUTE + i * 1000 })), T0)
    }
    // Back to version 6, as the data would be before the upgrade.
    for (const statement of ['DROP TABLE log_text_minutes', 'ALTER TABLE log_minutes DROP COLUMN indexed', 'DELETE FROM tekno_migrations WHERE version = 7']) {
      await rawSql(backend.databaseUrl, statement)
    }

    t.same(await store.migrate(), ['007_text_minutes'])
    const counts = await rawSql(backend.databaseUrl, 'SELECT SUM(n) AS n, SUM(indexed) AS indexed FROM log_minutes')
    t.same(counts.map((r) => [Number(r.n), Number(r.indexed)]), [[200, 0]], 'events stored before 007 are in no minute bitmap')
    const found = async (q: string): Promise<string[]> => (await store.logs.search({ projectId: p.id, q, limit: 100 })).events.map((e) => e.message)
    t.same(await found('KANGAROO'), ['a kangaroo in the server room'])

    // A newer receiver's batch in the same minute gives it a bitmap that lacks the old events.
    await store.logs.insertBatch(p.id, 'after', [event({ message: 'a wombat in the server room', ts: T0 + 3 * MINUTE + 30_500 })], T0)
    t.same(await found('in the server room'), ['a wombat in the server room', 'a kangaroo in the server room'])
    t.same(await found('kangaroo'), ['a kangaroo in the server room'], 'the minute is read whole while some of its events are in no bitmap')
    t.same(await found('request 9-19'), ['request 9-19 served'])
    t.same(await store.migrate(), [], 'nothing left to apply')
  })
}

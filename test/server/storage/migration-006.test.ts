import t from 'tap'
import { openStore } from '../../../server/dist/app.js'
import { backends, createBackend, type TestBackend } from '../../helpers/backends.js'
import { logIndexes, rawSql } from '../../helpers/raw-sql.js'
import { event } from './store-behaviour.js'

// Migration 006 rebuilds the index the fingerprint filter and the purge walk: applied to a
// database that already holds events (as an upgrade does), it must keep every row findable in
// the same order and leave the new index in place of the old one.

const T0 = Date.parse('2026-11-27T20:00:00.000Z')
const HOUR = 3_600_000

/** Puts a migrated database back to version 5: the old index, no record of 006. */
async function backToVersion5 (backend: TestBackend): Promise<void> {
  const statements = backend.kind === 'sqlite'
    ? ['CREATE INDEX logs_project_ts ON logs (project_id, ts, id)', 'DROP INDEX logs_project_ts_fingerprint']
    : ['ALTER TABLE logs ADD KEY logs_project_ts (project_id, ts, id), DROP KEY logs_project_ts_fingerprint']
  for (const s of [...statements, 'DELETE FROM tekno_migrations WHERE version = 6']) await rawSql(backend.databaseUrl, s)
}

for (const kind of backends()) {
  t.test(`${kind}: 006 applied to a database that already holds events`, async (t) => {
    const backend = await createBackend(kind)
    t.teardown(() => backend.destroy())
    const first = openStore(backend.databaseUrl)
    await first.migrate()
    await first.close()
    await backToVersion5(backend)

    const store = openStore(backend.databaseUrl)
    t.teardown(() => store.close())
    const p = await store.projects.create({ name: 'p', key: 'key-p', secret: 'secret-p', retention_hours: 48 }, T0)
    // Three hours of two fingerprints, one of them rare.
    for (let h = 0; h < 3; h++) {
      await store.logs.insertBatch(p.id, `b${h}`, Array.from({ length: 50 }, (_, i) =>
        event({ message: `m${h}-${i}`, fingerprint: i % 25 === 0 ? 'rare' : 'loud', ts: T0 + h * HOUR + i * 1000 })), T0 + 3 * HOUR)
    }
    t.same(await store.migrate(), ['006_project_ts_fingerprint'])
    t.same(await logIndexes(backend.databaseUrl), ['logs_project_level_ts', 'logs_project_ts_fingerprint'], 'and no logs_ts, which 008 dropped')

    const rare = await store.logs.search({ projectId: p.id, fingerprint: 'rare', limit: 100 })
    t.same(rare.events.map((e) => e.message), ['m2-25', 'm2-0', 'm1-25', 'm1-0', 'm0-25', 'm0-0'])
    const page = await store.logs.search({ projectId: p.id, fingerprint: 'loud', limit: 40 })
    t.equal(page.events.length, 40)
    const rest = await store.logs.search({ projectId: p.id, fingerprint: 'loud', limit: 200, before: page.next ?? undefined })
    t.equal(page.events.length + rest.events.length, 144, 'every loud event, across two pages')
    t.same(await store.migrate(), [], 'nothing left to apply')
  })
}

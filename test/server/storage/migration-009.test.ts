import t from 'tap'
import type { LogQuery } from '../../../server/dist/storage/store.js'
import { backends, createTestStore } from '../../helpers/backends.js'
import { rawSql, tableIndexes } from '../../helpers/raw-sql.js'
import { event, pagedMessages } from './store-behaviour.js'

// Migration 009 drops the rollup's index that starts with the fingerprint; the fingerprint filter
// and alerting's "seen before?" then probe the rollup's primary key hour by hour. Applied to a
// database that already holds events, every answer must stay what a query of `logs` gives.

const T0 = Date.parse('2026-11-28T10:00:00.000Z')
const HOUR = 3_600_000

for (const kind of backends()) {
  t.test(`${kind}: 009 applied to a database that already holds events`, async (t) => {
    const { store, backend, destroy } = await createTestStore(kind)
    t.teardown(destroy)
    // Back to version 8, as the data would be before the upgrade.
    const index = kind === 'sqlite'
      ? 'CREATE INDEX log_fingerprint_hours_fingerprint ON log_fingerprint_hours (fingerprint, project_id, hour)'
      : 'ALTER TABLE log_fingerprint_hours ADD KEY log_fingerprint_hours_fingerprint (fingerprint, project_id, hour)'
    for (const statement of [index, 'DELETE FROM tekno_migrations WHERE version = 9']) await rawSql(backend.databaseUrl, statement)
    t.same(await tableIndexes(backend.databaseUrl, 'log_fingerprint_hours'), ['log_fingerprint_hours_fingerprint'])

    const projects = await Promise.all(['a', 'b'].map((name) =>
      store.projects.create({ name, key: `key-${name}`, secret: `secret-${name}`, retention_hours: 72 }, T0)))
    // 60 hours of events, a fingerprint in every third hour of each project, received an hour late.
    for (let h = 0; h < 60; h++) {
      for (const [i, p] of projects.entries()) {
        const ts = T0 - h * HOUR - i * 1000
        await store.logs.insertBatch(p.id, null, Array.from({ length: 4 }, (_, j) => event({
          message: `${p.name} ${h}-${j}`,
          ts: ts + j,
          fingerprint: (h + i) % 3 === 0 && j < 2 ? 'rare' : `fp-${j}`
        })), ts + HOUR)
      }
    }

    t.same(await store.migrate(), ['009_drop_fingerprint_index'])
    t.same(await tableIndexes(backend.databaseUrl, 'log_fingerprint_hours'), [], 'the fingerprint index is gone')

    const rare = await rawSql(backend.databaseUrl, "SELECT project_id, ts, message FROM logs WHERE fingerprint = 'rare' ORDER BY ts DESC, id DESC")
    t.equal(rare.length, 80)
    const paged = (query: Omit<LogQuery, 'limit' | 'before'>): Promise<string[]> => pagedMessages(store, query, 7)
    t.same(await paged({ fingerprint: 'rare' }), rare.map((r) => String(r.message)), 'every project, newest first, across pages')
    const a = projects[0]!
    t.same(await paged({ projectId: a.id, fingerprint: 'rare' }),
      rare.filter((r) => Number(r.project_id) === a.id).map((r) => String(r.message)), 'one project')
    const from = T0 - 40 * HOUR + 2
    const to = T0 - 10 * HOUR
    t.same(await paged({ fingerprint: 'rare', from, to }),
      rare.filter((r) => Number(r.ts) >= from && Number(r.ts) < to).map((r) => String(r.message)), 'a time range cutting inside hours')

    // The oldest 'rare' of project a is in hour 57, received at T0 - 56 h.
    const firstReceived = T0 - 56 * HOUR
    t.equal(await store.alerts.seenBefore(a.id, 'rare', firstReceived), false, 'not before its first receipt')
    t.equal(await store.alerts.seenBefore(a.id, 'rare', firstReceived + 1), true, 'seen once received')
    t.equal(await store.alerts.seenBefore(a.id, 'never', T0 + HOUR), false, 'a fingerprint never sent')
  })
}

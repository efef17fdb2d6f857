import t from 'tap'
import { openStore } from '../../../server/dist/app.js'
import type { LogQuery } from '../../../server/dist/storage/store.js'
import { backends, createBackend } from '../../helpers/backends.js'
import { logIndexes, rawSql } from '../../helpers/raw-sql.js'
import { event, pagedMessages } from './store-behaviour.js'

// Migration 008 drops logs' (ts, id) index; a search across every project, and the dashboard's
// recent errors, are then a query in each project, merged. Applied to a database that already holds events, it must leave every filter
// across projects giving the same rows in the same (ts, id) order, page after page.

const T0 = Date.parse('2026-11-28T10:00:00.000Z')
const MINUTE = 60_000

for (const kind of backends()) {
  t.test(`${kind}: 008 applied to a database that already holds events in several projects`, async (t) => {
    const backend = await createBackend(kind)
    t.teardown(() => backend.destroy())
    const store = openStore(backend.databaseUrl)
    t.teardown(() => store.close())
    await store.migrate()
    // Back to version 7, as the data would be before the upgrade.
    const index = kind === 'sqlite' ? 'CREATE INDEX logs_ts ON logs (ts, id)' : 'ALTER TABLE logs ADD KEY logs_ts (ts, id)'
    for (const statement of [index, 'DELETE FROM tekno_migrations WHERE version = 8']) await rawSql(backend.databaseUrl, statement)

    const projects = await Promise.all(['a', 'b', 'c'].map((name) =>
      store.projects.create({ name, key: `key-${name}`, secret: `secret-${name}`, retention_hours: 48 }, T0)))
    // Interleaved in time, with many events at the same ts in different projects (ties broken
    // by id) and batches stored out of time order, so id order is not ts order.
    for (let b = 3; b >= 0; b--) {
      for (const [i, p] of projects.entries()) {
        await store.logs.insertBatch(p.id, `b${b}`, Array.from({ length: 15 }, (_, j) => event({
          message: `${p.name} ${b}-${j}${j % 5 === 0 ? ' needle' : ''}`,
          ts: T0 + b * MINUTE + Math.floor(j / 3) * 1000 + (i === 2 ? 500 : 0),
          level: j % 4 === 0 ? 50 : 30,
          fingerprint: j % 3 === 0 ? 'shared' : `fp-${p.name}`
        })), T0 + 5 * MINUTE)
      }
    }

    t.same(await store.migrate(), ['008_drop_logs_ts'])
    t.same(await logIndexes(backend.databaseUrl), ['logs_project_level_ts', 'logs_project_ts_fingerprint'], 'the (ts, id) index is gone')

    // What a single query over all projects orders by: ts, then id, newest first.
    const everything = await rawSql(backend.databaseUrl, 'SELECT id, ts, message, level, fingerprint FROM logs ORDER BY ts DESC, id DESC')
    t.equal(everything.length, 180)
    const expected = (keep: (r: Record<string, unknown>) => boolean): string[] => everything.filter(keep).map((r) => String(r.message))

    const paged = (query: Omit<LogQuery, 'limit' | 'before'>): Promise<string[]> => pagedMessages(store, query, 7)
    t.same(await paged({}), expected(() => true), 'no filter: every project, newest first, across pages')
    t.same(await paged({ levels: [50] }), expected((r) => Number(r.level) === 50), 'a level')
    t.same(await paged({ fingerprint: 'shared' }), expected((r) => r.fingerprint === 'shared'), 'a fingerprint two projects share')
    t.same(await paged({ q: 'NEEDLE' }), expected((r) => String(r.message).includes('needle')), 'text')
    const from = T0 + MINUTE + 2000
    const to = T0 + 3 * MINUTE
    t.same(await paged({ from, to }), expected((r) => Number(r.ts) >= from && Number(r.ts) < to), 'a time range')

    const recent = await store.stats.recentErrors({}, T0, 7)
    t.same(recent.map((e) => e.message), expected((r) => Number(r.level) === 50).slice(0, 7), 'the dashboard\'s recent errors of every project')

    const onlyOne = await store.logs.search({ projectId: projects[1]!.id, limit: 1000 })
    t.same(onlyOne.events.map((e) => e.message), expected((r) => String(r.message).startsWith('b ')), 'one project alone')
  })
}

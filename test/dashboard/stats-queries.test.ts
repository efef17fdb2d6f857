import t from 'tap'
import { backends, createTestStore } from '../helpers/backends.js'

// The overview's aggregates, on every backend, against rows whose answers are known by hand.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const NOW = Date.UTC(2026, 10, 27, 22, 30, 15)
const LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }

const event = (ts: number, level: keyof typeof LEVEL, message: string, fingerprint: string, source: string | null = 'api') =>
  ({ ts, level: LEVEL[level], message, source, fingerprint, stack: null, context: null })

for (const backend of backends()) {
  t.test(backend, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)

    await t.test('no projects: every aggregate is empty', async (t) => {
      t.same(await store.stats.levelMinutes({}, NOW - HOUR, NOW), [])
      t.same(await store.stats.topFingerprints({}, NOW - HOUR, NOW, 10), [])
      t.same(await store.stats.recentErrors({}, NOW - HOUR, 10), [])
    })

    const a = await store.projects.create({ name: 'a', key: 'tkp_a', secret: 's'.repeat(32), retention_hours: 48 }, NOW)
    const b = await store.projects.create({ name: 'b', key: 'tkp_b', secret: 's'.repeat(32), retention_hours: 48 }, NOW)
    const minute = Math.floor(NOW / MINUTE) * MINUTE
    await store.logs.insertBatch(a.id, null, [
      event(minute + 1_000, 'info', 'served', 'f-served'),
      event(minute + 2_000, 'info', 'served', 'f-served'),
      event(minute + 3_000, 'error', 'db timeout', 'f-db'),
      event(minute - MINUTE + 59_999, 'warn', 'slow', 'f-slow'),
      event(minute - 5 * MINUTE, 'error', 'db timeout (old text)', 'f-db'),
      event(minute - 5 * MINUTE + 1, 'fatal', 'crash', 'f-crash', null),
      // Outside the hour, inside the day: counted by fingerprints, not by minutes.
      event(NOW - 3 * HOUR, 'error', 'db timeout', 'f-db'),
      // Outside the day: counted by nothing.
      event(NOW - 25 * HOUR, 'error', 'ancient', 'f-ancient')
    ], NOW)
    await store.logs.insertBatch(b.id, null, [
      event(minute + 4_000, 'debug', 'b debug', 'f-b'),
      event(minute + 5_000, 'error', 'b error', 'f-b-err')
    ], NOW)

    t.test('per-minute counts by level, for one project and for all', async (t) => {
      const from = minute - 59 * MINUTE
      const to = minute + MINUTE
      t.same(await store.stats.levelMinutes({ projectId: a.id }, from, to), [
        { minute: minute - 5 * MINUTE, level: 'error', count: 1 },
        { minute: minute - 5 * MINUTE, level: 'fatal', count: 1 },
        { minute: minute - MINUTE, level: 'warn', count: 1 },
        { minute, level: 'info', count: 2 },
        { minute, level: 'error', count: 1 }
      ])
      t.same(await store.stats.levelMinutes({}, minute, to), [
        { minute, level: 'debug', count: 1 },
        { minute, level: 'info', count: 2 },
        { minute, level: 'error', count: 2 }
      ])
      t.same(await store.stats.levelMinutes({ projectId: a.id }, minute, minute + 2_000), [
        { minute, level: 'info', count: 1 }
      ], 'the window end is exclusive')
    })

    t.test('top fingerprints: loudest first, first and last seen, newest message', async (t) => {
      const top = await store.stats.topFingerprints({ projectId: a.id }, NOW - 24 * HOUR, NOW + 1, 10)
      t.same(top.map((f) => [f.fingerprint, f.count]), [['f-db', 3], ['f-served', 2], ['f-slow', 1], ['f-crash', 1]], 'ties go to the most recently seen')
      t.same(top[0], {
        project_id: a.id,
        fingerprint: 'f-db',
        count: 3,
        first_seen: NOW - 3 * HOUR,
        last_seen: minute + 3_000,
        message: 'db timeout',
        level: 'error',
        source: 'api'
      })
      t.equal(top[3]?.source, null)
      const all = await store.stats.topFingerprints({}, NOW - 24 * HOUR, NOW + 1, 2)
      t.same(all.map((f) => [f.project_id, f.fingerprint]), [[a.id, 'f-db'], [a.id, 'f-served']], 'limit, across projects')
      const onlyB = await store.stats.topFingerprints({ projectId: b.id }, NOW - 24 * HOUR, NOW + 1, 10)
      t.same(onlyB.map((f) => f.fingerprint).sort(), ['f-b', 'f-b-err'])
    })

    t.test('recent errors: error and fatal only, newest first, since and limit', async (t) => {
      const recent = await store.stats.recentErrors({}, NOW - 24 * HOUR, 10)
      t.same(recent.map((e) => e.message), ['b error', 'db timeout', 'crash', 'db timeout (old text)', 'db timeout'])
      t.same(recent[0], { id: recent[0]?.id, project_id: b.id, ts: minute + 5_000, level: 'error', message: 'b error', source: 'api', fingerprint: 'f-b-err' })
      const lastHourOfA = await store.stats.recentErrors({ projectId: a.id }, NOW - HOUR, 2)
      t.same(lastHourOfA.map((e) => [e.message, e.level]), [['db timeout', 'error'], ['crash', 'fatal']])
    })
    t.end()
  })
}

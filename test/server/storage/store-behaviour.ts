import type { Test } from 'tap'
import type { Store } from '../../../server/dist/app.js'
import type { StoredEvent } from '../../../server/dist/ingest/validate.js'
import { MAX_PROBES } from '../../../server/dist/storage/fingerprint-hours.js'
import { PURGE_SLICE } from '../../../server/dist/storage/maintenance-store.js'
import type { LogQuery, LogRow } from '../../../server/dist/storage/store.js'

// One behaviour suite for every Store adapter (STYLE.md rule 3): sqlite-store.test.ts and
// mysql-store.test.ts run exactly this, so a difference between the two databases fails a test.

export type OpenStore = () => Promise<{ store: Store, destroy (): Promise<void> }>

const T0 = Date.parse('2026-11-27T22:00:00.000Z')
const HOUR = 3_600_000

export function event (over: Partial<StoredEvent> & { message: string }): StoredEvent {
  return { ts: T0, level: 30, source: null, stack: null, context: null, fingerprint: 'fp', ...over }
}

/** The messages of every page of a search, `limit` at a time, each page after the last one's keyset. */
export async function pagedMessages (store: Store, query: Omit<LogQuery, 'limit' | 'before'>, limit: number): Promise<string[]> {
  const out: string[] = []
  let before: LogQuery['before']
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.logs.search({ ...query, limit, ...(before === undefined ? {} : { before }) })
    out.push(...page.events.map((e) => e.message))
    if (page.next === null) return out
    before = page.next
  }
  throw new Error('the pages never ended')
}

async function searchAll (store: Store, query: Omit<LogQuery, 'limit'>): Promise<LogRow[]> {
  const page = await store.logs.search({ limit: 1000, ...query })
  return page.events
}

export function storeBehaviour (t: Test, open: OpenStore): void {
  /** A fresh, migrated store for one subtest, removed after it. */
  const fresh = async (t: Test): Promise<Store> => {
    const { store, destroy } = await open()
    t.teardown(destroy)
    return store
  }
  const newProject = (store: Store, name = 'p', key = `key-${name}`, secret = `secret-${name}`) =>
    store.projects.create({ name, key, secret, retention_hours: 48 }, T0)

  t.test('projects: create, list, get, update, remove', async (t) => {
    const store = await fresh(t)
    const a = await store.projects.create({ name: 'Alpha', key: 'key-a', secret: 'secret-a', retention_hours: 24,
      rate_limit_events_per_minute: 500 }, T0)
    t.match(a, { name: 'Alpha', key: 'key-a', retention_hours: 24, rate_limit_events_per_minute: 500,
      created_at: new Date(T0).toISOString(), updated_at: new Date(T0).toISOString() })
    t.type(a.id, 'number')
    t.notOk('secret' in a, 'a project never carries its secret')
    const b = await newProject(store, 'Beta')
    t.equal(b.rate_limit_events_per_minute, null, 'no limit given: null, the server default')

    t.same((await store.projects.list()).map((p) => p.name), ['Alpha', 'Beta'], 'listed in id order')
    t.same(await store.projects.get(a.id), a)
    t.equal(await store.projects.get(999_999), null)

    const changed = await store.projects.update(a.id, { name: 'Alpha 2', retention_hours: 72, rate_limit_events_per_minute: null }, T0 + 1000)
    t.match(changed, { id: a.id, name: 'Alpha 2', retention_hours: 72, rate_limit_events_per_minute: null,
      created_at: new Date(T0).toISOString(), updated_at: new Date(T0 + 1000).toISOString() })
    t.same(await store.projects.get(a.id), changed)
    t.same(await store.projects.update(a.id, {}, T0 + 2000), changed, 'an empty patch changes nothing')
    t.equal(await store.projects.update(999_999, { name: 'x' }, T0), null)

    t.equal(await store.projects.remove(a.id), true)
    t.equal(await store.projects.get(a.id), null)
    t.equal(await store.projects.findByKey('key-a', T0), null)
    t.equal(await store.projects.remove(a.id), false, 'removing twice')
    t.same((await store.projects.list()).map((p) => p.id), [b.id])
  })

  t.test('projects: findByKey and rotateSecret keep the previous secret only until it expires', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store, 'p', 'key-p', 'first')
    t.match(await store.projects.findByKey('key-p', T0), { id: p.id, secrets: ['first'], retention_hours: 48 })
    t.equal(await store.projects.findByKey('no-such-key', T0), null)
    t.equal(await store.projects.findByKey('KEY-P', T0), null, 'keys compare exactly, case included')

    t.equal(await store.projects.rotateSecret(p.id, 'second', T0 + HOUR, T0), true)
    t.same((await store.projects.findByKey('key-p', T0))?.secrets, ['second', 'first'], 'both during the grace')
    t.same((await store.projects.findByKey('key-p', T0 + HOUR - 1))?.secrets, ['second', 'first'])
    t.same((await store.projects.findByKey('key-p', T0 + HOUR))?.secrets, ['second'], 'the previous one stops at expiry')

    t.equal(await store.projects.rotateSecret(p.id, 'third', T0 + 3 * HOUR, T0 + 2 * HOUR), true)
    t.same((await store.projects.findByKey('key-p', T0 + 2 * HOUR))?.secrets, ['third', 'second'], 'only one previous secret')
    t.equal(await store.projects.rotateSecret(999_999, 'x', T0, T0), false, 'unknown project')
  })

  t.test('insertBatch is idempotent per batch id and project', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const q = await newProject(store, 'q')
    const three = [event({ message: 'a' }), event({ message: 'b' }), event({ message: 'c' })]
    t.same(await store.logs.insertBatch(p.id, 'batch-1', three, T0), { accepted: 3, duplicate: false })
    t.equal(await store.logs.findBatch(p.id, 'batch-1'), 3)
    t.equal(await store.logs.findBatch(p.id, 'batch-2'), null)

    const five = [...three, event({ message: 'd' }), event({ message: 'e' })]
    t.same(await store.logs.insertBatch(p.id, 'batch-1', five, T0 + 1), { accepted: 3, duplicate: true }, 'the first count, again')
    t.equal((await searchAll(store, { projectId: p.id })).length, 3, 'the duplicate stored nothing')

    t.same(await store.logs.insertBatch(q.id, 'batch-1', [event({ message: 'q' })], T0), { accepted: 1, duplicate: false },
      'the same id in another project is a different batch')
    t.same(await store.logs.insertBatch(p.id, null, three, T0), { accepted: 3, duplicate: false })
    t.same(await store.logs.insertBatch(p.id, null, three, T0), { accepted: 3, duplicate: false }, 'no batch id: no deduplication')
    t.equal((await searchAll(store, { projectId: p.id })).length, 9)
  })

  t.test('concurrent inserts of one batch id store it once', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    const events = Array.from({ length: 50 }, (_, i) => event({ message: `e${i}` }))
    const results = await Promise.all(Array.from({ length: 8 }, () => store.logs.insertBatch(p.id, 'same', events, T0)))
    t.equal(results.filter((r) => !r.duplicate).length, 1, 'exactly one insert wins')
    t.ok(results.every((r) => r.accepted === 50), 'every answer carries the count')
    t.equal((await searchAll(store, { projectId: p.id })).length, 50, 'stored once')
  })

  t.test('a retry of a stored batch arriving among new ones: the new ones are stored once, the retry answered as a duplicate', async (t) => {
    // On MySQL the batches at once share one claim of their ids; the retry's id makes that claim
    // come up short, and each batch is then stored (or answered) alone.
    const store = await fresh(t)
    const p = await newProject(store)
    const batch = (name: string, n: number) => Array.from({ length: n }, (_, i) => event({ message: `${name} ${i}` }))
    t.same(await store.logs.insertBatch(p.id, 'old', batch('old', 4), T0), { accepted: 4, duplicate: false })
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([
        store.logs.insertBatch(p.id, `new-${round}-a`, batch(`new ${round} a`, 5), T0),
        store.logs.insertBatch(p.id, 'old', batch('old', 9), T0),
        store.logs.insertBatch(p.id, `new-${round}-b`, batch(`new ${round} b`, 6), T0),
        store.logs.insertBatch(p.id, null, batch(`unnamed ${round}`, 2), T0)
      ])
      t.same(results, [{ accepted: 5, duplicate: false }, { accepted: 4, duplicate: true }, { accepted: 6, duplicate: false }, { accepted: 2, duplicate: false }], `round ${round}`)
    }
    const stored = await searchAll(store, { projectId: p.id })
    t.equal(stored.length, 4 + 3 * (5 + 6 + 2), 'each new batch once, the retry never')
    t.equal(await store.logs.findBatch(p.id, 'new-2-b'), 6)
  })

  t.test('batches written at the same moment: one the database refuses fails alone, the others are stored', async (t) => {
    // Both commit concurrent batches together (group commit): SQLite with one savepoint each, MySQL
    // by trying each batch of a failed group again alone. Either way a refused batch stores nothing
    // and takes nothing with it.
    const store = await fresh(t)
    const p = await newProject(store)
    const good = (i: number) => Array.from({ length: 20 }, (_, j) => event({ message: `b${i} e${j}` }))
    const refused = [event({ message: 'fine' }), { ...event({ message: 'x' }), message: null as unknown as string }]
    const results = await Promise.allSettled([
      store.logs.insertBatch(p.id, 'g1', good(1), T0),
      store.logs.insertBatch(p.id, 'g2', good(2), T0),
      store.logs.insertBatch(p.id, 'bad', refused, T0),
      store.logs.insertBatch(p.id, 'g3', good(3), T0),
      store.logs.insertBatch(p.id, 'g1', good(1), T0)
    ])
    t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    // Which of the two g1 calls stores is a race on MySQL (each has its own connection); one does.
    const g1 = [results[0], results[4]].map((r) => (r as PromiseFulfilledResult<{ accepted: number, duplicate: boolean }>).value)
    t.same(g1.sort((a, b) => Number(a.duplicate) - Number(b.duplicate)), [{ accepted: 20, duplicate: false }, { accepted: 20, duplicate: true }],
      'a repeat in the same group is still a duplicate')
    t.equal(await store.logs.findBatch(p.id, 'bad'), null, 'the refused batch left no batch id behind')
    const stored = await searchAll(store, { projectId: p.id })
    t.equal(stored.length, 60, 'three good batches, once each')
    t.notOk(stored.some((e) => e.message === 'fine'), 'nothing of the refused batch')
  })

  t.test('insertBatch with an event limit: exactly what fits is stored and counted, a retry is never counted', async (t) => {
    // Counted in the transaction that stores the batch. Concurrent batches go to the database as
    // one group; on MySQL a group over the limit is rolled back and each batch judged alone.
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const q = await newProject(store, 'q')
    const now = Date.now()
    const batch = (tag: string, n: number) => Array.from({ length: n }, (_, i) => event({ message: `${tag} e${i}`, ts: now }))
    const counted = async (projectId: number) =>
      (await store.limits.window('project', String(projectId), now)).reduce((sum, b) => sum + b.count, 0)

    const first = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => store.logs.insertBatch(p.id, `p${i}`, batch(`p${i}`, 100), now, 500)),
      ...Array.from({ length: 3 }, (_, i) => store.logs.insertBatch(q.id, `q${i}`, batch(`q${i}`, 100), now, 500))
    ])
    const ofP = first.slice(0, 8)
    t.equal(ofP.filter((r) => r.overLimit === true).length, 3, 'three of p’s eight batches do not fit its 500')
    t.ok(ofP.every((r) => r.overLimit === true ? r.accepted === 0 : r.accepted === 100 && !r.duplicate), 'the others are stored whole')
    t.same(first.slice(8), Array.from({ length: 3 }, () => ({ accepted: 100, duplicate: false })), 'q’s batches are not held back by p’s limit')
    t.equal((await searchAll(store, { projectId: p.id })).length, 500, 'p: only the batches that fit were stored')
    t.equal(await counted(p.id), 500, 'p: and only they were counted')
    t.equal(await counted(q.id), 300)
    const refusedIds = ofP.flatMap((r, i) => (r.overLimit === true ? [`p${i}`] : []))
    for (const id of refusedIds) t.equal(await store.logs.findBatch(p.id, id), null, `${id} left no batch id behind`)
    const hours = await store.stats.topFingerprints({ projectId: p.id }, now - HOUR, now + HOUR, 10)
    t.equal(hours.reduce((sum, f) => sum + f.count, 0), 500, 'the rollups count the stored events only')

    const storedId = ofP.findIndex((r) => r.overLimit !== true)
    t.same(await store.logs.insertBatch(p.id, `p${storedId}`, batch('again', 100), now, 500), { accepted: 100, duplicate: true },
      'a retry of a stored batch is acknowledged while the limit is full')
    t.same(await store.logs.insertBatch(p.id, 'more', batch('more', 1), now, 500), { accepted: 0, duplicate: false, overLimit: true },
      'a new batch is not, however small')
    t.same(await store.logs.insertBatch(p.id, 'raised', batch('raised', 100), now, 600), { accepted: 100, duplicate: false },
      'a higher limit lets it in')
    t.equal(await counted(p.id), 600, 'the retries were never counted')
    t.same(await store.logs.insertBatch(p.id, 'free', batch('free', 100), now, 0), { accepted: 100, duplicate: false }, 'limit 0: not counted')
    t.equal(await counted(p.id), 600)

    // A batch the database refuses while being stored was not stored, so it was not counted either:
    // sent again once fixed, it is judged against the limit as if for the first time.
    const broken = [...batch('broken', 49), { ...event({ message: 'x' }), message: null as unknown as string }]
    await t.rejects(store.logs.insertBatch(q.id, 'broken', broken, now, 350), 'the database refuses it')
    t.equal(await counted(q.id), 300, 'and it used none of the limit')
    t.same(await store.logs.insertBatch(q.id, 'broken', batch('fixed', 50), now, 350), { accepted: 50, duplicate: false },
      'the fixed batch fits the 50 left')
  })

  t.test('purgeLogs removes up to its limit across several delete slices, oldest first, and nothing newer', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    const cutoff = T0 - HOUR
    const old = PURGE_SLICE * 2 + 234
    const events = Array.from({ length: old }, (_, i) => event({ message: `old ${i}`, ts: cutoff - old + i }))
    for (let i = 0; i < events.length; i += 250) await store.logs.insertBatch(p.id, null, events.slice(i, i + 250), T0)
    await store.logs.insertBatch(p.id, null, [event({ message: 'at the cutoff', ts: cutoff }), event({ message: 'new' })], T0)
    const limit = PURGE_SLICE * 2 + 100
    const first = await store.maintenance.purgeLogs(p.id, cutoff, limit, null)
    t.equal(first.deleted, limit, 'the whole limit, though it spans three slices')
    t.ok(first.next !== null, 'more to do')
    const second = await store.maintenance.purgeLogs(p.id, cutoff, limit, first.next)
    t.equal(second.deleted, old - limit, 'the rest')
    const left = await searchAll(store, { projectId: p.id })
    t.same(left.map((e) => e.message).sort(), ['at the cutoff', 'new'], 'everything older than the cutoff, and only that')
  })

  t.test('the fingerprint filter pages through every hour the fingerprint occurs in, newest first', async (t) => {
    // Answered from the hourly fingerprint rollup (no index of logs on fingerprint): 40 hours is
    // more than one read of hours, some hours have none, several events share a ts.
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const q = await newProject(store, 'q')
    const start = T0 - 40 * HOUR
    const wanted: string[] = []
    for (let h = 0; h < 40; h++) {
      const ts = start + h * HOUR + 1_000
      const batch = [event({ message: `other ${h}`, ts, fingerprint: 'other' })]
      if (h % 3 !== 1) {
        batch.push(event({ message: `x ${h} a`, ts, fingerprint: 'fp-x' }), event({ message: `x ${h} b`, ts: ts + 5, fingerprint: 'fp-x' }))
        wanted.push(`x ${h} a`, `x ${h} b`)
      }
      await store.logs.insertBatch(p.id, null, batch, ts)
      await store.logs.insertBatch(q.id, null, [event({ message: `q ${h}`, ts, fingerprint: 'fp-x' })], ts)
    }
    t.same(await pagedMessages(store, { projectId: p.id, fingerprint: 'fp-x' }, 7), [...wanted].reverse(), 'every event of the fingerprint in this project, newest first, once')
    const ranged = await store.logs.search({ projectId: p.id, fingerprint: 'fp-x', from: start + 10 * HOUR, to: start + 12 * HOUR + 1_003, limit: 100 })
    t.same(ranged.events.map((e) => e.message), ['x 12 a', 'x 11 b', 'x 11 a'], 'a time range cuts inside an hour (hour 10 has none)')
    const all = await store.logs.search({ fingerprint: 'fp-x', limit: 1000 })
    t.equal(all.events.length, wanted.length + 40, 'without a project: every project')
    t.equal((await store.logs.search({ projectId: p.id, fingerprint: 'never', limit: 10 })).events.length, 0)
  })

  t.test('the fingerprint questions reach across a long stretch of empty hours, in every project', async (t) => {
    // Rollup hours are probed by primary key, newest first, and an empty stretch (an event sent
    // with an old ts, kept until the next purge) is skipped in one seek per project.
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const q = await newProject(store, 'q')
    const DAY = 24 * HOUR
    const at = (projectId: number, message: string, ts: number, receivedAt = ts) =>
      store.logs.insertBatch(projectId, null, [event({ message, ts, fingerprint: message.startsWith('x') ? 'fp-x' : 'other' })], receivedAt)
    await at(p.id, 'x 90 days ago', T0 - 90 * DAY)
    await at(q.id, 'x 45 days ago in q', T0 - 45 * DAY)
    await at(p.id, 'other 10 days ago', T0 - 10 * DAY)
    await at(p.id, 'x 2 hours ago', T0 - 2 * HOUR)
    await at(p.id, 'x now', T0)
    await at(p.id, 'other now', T0 + 1)
    const messages = async (query: Omit<LogQuery, 'limit'>) => (await searchAll(store, query)).map((e) => e.message)
    t.same(await messages({ projectId: p.id, fingerprint: 'fp-x' }), ['x now', 'x 2 hours ago', 'x 90 days ago'])
    t.same(await messages({ fingerprint: 'fp-x' }), ['x now', 'x 2 hours ago', 'x 45 days ago in q', 'x 90 days ago'], 'every project')
    t.same(await messages({ fingerprint: 'fp-x', to: T0 - HOUR }), ['x 2 hours ago', 'x 45 days ago in q', 'x 90 days ago'], 'below a bound')
    t.same(await messages({ fingerprint: 'fp-x', from: T0 - 60 * DAY, to: T0 - HOUR }), ['x 2 hours ago', 'x 45 days ago in q'], 'within a range')
    t.same(await messages({ projectId: q.id, fingerprint: 'other' }), [], 'a fingerprint the project never had')
    t.same(await pagedMessages(store, { fingerprint: 'fp-x' }, 1), ['x now', 'x 2 hours ago', 'x 45 days ago in q', 'x 90 days ago'], 'one event a page')
    t.equal(await store.alerts.seenBefore(p.id, 'fp-x', T0 - 90 * DAY + 1), true, 'received 90 days ago, behind 87 empty days')
    t.equal(await store.alerts.seenBefore(p.id, 'fp-x', T0 - 90 * DAY), false, 'not before its first receipt')
    t.equal(await store.alerts.seenBefore(q.id, 'fp-x', T0), true)
    t.equal(await store.alerts.seenBefore(q.id, 'other', T0 + 2), false, 'another project\'s fingerprint')
  })

  t.test('the fingerprint filter across more projects than one probe statement holds', async (t) => {
    // 24 hours a read and at most MAX_PROBES (project, hour) pairs a statement: 25 projects take two.
    const store = await fresh(t)
    const perProbe = Math.floor(MAX_PROBES / 24)
    const projects = []
    for (let i = 0; i <= perProbe + 4; i++) projects.push(await newProject(store, `p${i}`))
    const wanted: Array<{ message: string, ts: number }> = []
    for (const [i, p] of projects.entries()) {
      // Project i has the fingerprint i hours ago and again, for every fifth, 30 hours earlier.
      const ts = T0 - i * HOUR
      await store.logs.insertBatch(p.id, null, [event({ message: `p${i}`, ts, fingerprint: 'shared' }), event({ message: `p${i} other`, ts, fingerprint: 'other' })], ts)
      wanted.push({ message: `p${i}`, ts })
      if (i % 5 === 0) {
        await store.logs.insertBatch(p.id, null, [event({ message: `p${i} earlier`, ts: ts - 30 * HOUR, fingerprint: 'shared' })], ts - 30 * HOUR)
        wanted.push({ message: `p${i} earlier`, ts: ts - 30 * HOUR })
      }
    }
    const byTime = (await searchAll(store, { fingerprint: 'shared' })).map((e) => e.message)
    t.same(byTime, wanted.sort((a, b) => b.ts - a.ts).map((w) => w.message), 'every project, newest first')
    t.equal((await searchAll(store, { fingerprint: 'shared', from: T0 - 10 * HOUR + 1 })).length, 10, 'a time range')
  })

  t.test('alerts.seenBefore: a fingerprint counts as seen only when it was received before the given time', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    const other = await newProject(store, 'other')
    t.equal(await store.alerts.seenBefore(p.id, 'fp-new', T0), false, 'never received')
    await store.logs.insertBatch(p.id, null, [event({ message: 'm', fingerprint: 'fp-new', ts: T0 - HOUR })], T0)
    t.equal(await store.alerts.seenBefore(p.id, 'fp-new', T0), false, 'received at that very time: not before it')
    t.equal(await store.alerts.seenBefore(p.id, 'fp-new', T0 + 1), true, 'received earlier')
    t.equal(await store.alerts.seenBefore(other.id, 'fp-new', T0 + 1), false, 'another project has not seen it')
    await store.logs.insertBatch(p.id, null, [event({ message: 'm', fingerprint: 'fp-new', ts: T0 + HOUR })], T0 - 10)
    t.equal(await store.alerts.seenBefore(p.id, 'fp-new', T0), true, 'the earliest receipt counts, in whichever hour')
  })

  t.test('text round-trips exactly: 4-byte UTF-8, NUL bytes, long strings; ts keeps milliseconds', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    const tricky = 'emoji 😀🎉👩‍👩‍👧 music 𝄞 max \u{10FFFF} nul[\u0000] tab\t crlf\r\n quote\' " backslash\\ percent% under_score é ß 中文'
    const context = JSON.stringify({ s: tricky, n: 1.5, nested: { arr: [null, true, '🎉'] } })
    const ts = Date.parse('2026-11-27T22:50:51.123Z')
    await store.logs.insertBatch(p.id, 'b', [
      event({ message: tricky, source: `src ${tricky}`.slice(0, 200), stack: `${tricky}\n    at x (file.js:1:2)`, context, ts, fingerprint: 'f1' }),
      event({ message: 'x'.repeat(65_536), ts: ts + 1 })
    ], T0)
    const [long, row] = await searchAll(store, { projectId: p.id })
    t.equal(row?.message, tricky)
    t.equal(row?.source, `src ${tricky}`.slice(0, 200))
    t.equal(row?.stack, `${tricky}\n    at x (file.js:1:2)`)
    t.same(row?.context, JSON.parse(context))
    t.equal(row?.ts, '2026-11-27T22:50:51.123Z', 'milliseconds kept')
    t.equal(row?.level, 'info', 'levels come back as names')
    t.equal(row?.fingerprint, 'f1')
    t.equal(row?.project_id, p.id)
    t.equal(long?.message.length, 65_536)
    t.equal(long?.ts, '2026-11-27T22:50:51.124Z')
    t.equal(long?.source, null)
    t.equal(long?.context, null)
  })

  t.test('search filters', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const other = await newProject(store, 'other')
    await store.logs.insertBatch(p.id, null, [
      event({ message: 'trace line', level: 10, ts: T0 + 1 }),
      event({ message: 'debug line', level: 20, ts: T0 + 2, source: 'worker' }),
      event({ message: 'Info about ÉCOLE', level: 30, ts: T0 + 3, source: 'api' }),
      event({ message: 'warn: 100% full', level: 40, ts: T0 + 4, source: 'api', fingerprint: 'disk' }),
      event({ message: 'error user_id missing', level: 50, ts: T0 + 5, source: 'api', fingerprint: 'disk' }),
      event({ message: 'fatal: userXid', level: 60, ts: T0 + 6, source: 'API' }),
      event({ message: 'Straße gesperrt', level: 50, ts: T0 + 7, source: 'worker' }),
      event({ message: 'what 100 percent', level: 30, ts: T0 + 8 })
    ], T0)
    await store.logs.insertBatch(other.id, null, [event({ message: 'other project error', level: 50, ts: T0 + 5, source: 'api' })], T0)

    const messages = async (query: Omit<LogQuery, 'limit'>) => (await searchAll(store, query)).map((e) => e.message)
    const cases: Array<[string, Omit<LogQuery, 'limit'>, string[]]> = [
      ['project', { projectId: other.id }, ['other project error']],
      ['one level', { projectId: p.id, levels: [50] }, ['Straße gesperrt', 'error user_id missing']],
      ['level list', { projectId: p.id, levels: [10, 60] }, ['fatal: userXid', 'trace line']],
      ['min_level', { projectId: p.id, minLevel: 50 }, ['Straße gesperrt', 'fatal: userXid', 'error user_id missing']],
      ['level list and min_level', { projectId: p.id, levels: [20, 40, 60], minLevel: 40 }, ['fatal: userXid', 'warn: 100% full']],
      ['q is case-insensitive', { projectId: p.id, q: 'LINE' }, ['debug line', 'trace line']],
      ['q folds non-ASCII upper to lower', { projectId: p.id, q: 'école' }, ['Info about ÉCOLE']],
      ['q folds non-ASCII lower to upper', { projectId: p.id, q: 'ÉCOLE' }, ['Info about ÉCOLE']],
      ['q non-ASCII exact', { projectId: p.id, q: 'straße' }, ['Straße gesperrt']],
      ['q % is a literal', { projectId: p.id, q: '100%' }, ['warn: 100% full']],
      ['q _ is a literal', { projectId: p.id, q: 'user_id' }, ['error user_id missing']],
      ['q ! (the escape character) is a literal', { projectId: p.id, q: '!' }, []],
      ['q lone %', { projectId: p.id, q: '%' }, ['warn: 100% full']],
      ['source is exact', { projectId: p.id, source: 'api' }, ['error user_id missing', 'warn: 100% full', 'Info about ÉCOLE']],
      ['source is case-sensitive', { projectId: p.id, source: 'API' }, ['fatal: userXid']],
      ['fingerprint', { projectId: p.id, fingerprint: 'disk' }, ['error user_id missing', 'warn: 100% full']],
      ['from is inclusive', { projectId: p.id, from: T0 + 7 }, ['what 100 percent', 'Straße gesperrt']],
      ['to is exclusive', { projectId: p.id, to: T0 + 3 }, ['debug line', 'trace line']],
      ['from and to', { projectId: p.id, from: T0 + 3, to: T0 + 5 }, ['warn: 100% full', 'Info about ÉCOLE']],
      ['everything at once', { projectId: p.id, levels: [40, 50], minLevel: 40, q: 'USER', source: 'api', fingerprint: 'disk', from: T0 + 5, to: T0 + 6 },
        ['error user_id missing']],
      ['no project: every project', { levels: [50], source: 'api' }, ['other project error', 'error user_id missing']],
      ['nothing matches', { projectId: p.id, q: 'nope' }, []]
    ]
    for (const [name, query, expected] of cases) {
      const got = await messages(query)
      if (name === 'no project: every project') {
        t.same([...got].sort(), [...expected].sort(), name)
      } else {
        t.same(got, expected, name)
      }
    }
  })

  t.test('q finds a message by its own text, whatever the script', async (t) => {
    // Lower-casing differs between JavaScript and MySQL for a few letters (final sigma, dotted
    // capital I): whatever each database does, a message must match its exact text.
    const store = await fresh(t)
    const p = await newProject(store)
    const texts = ['ΟΔΟΣ ΚΛΕΙΣΤΟΣ', 'İstanbul down', 'Ǆemal', 'Äpfel ÜBER Öl', 'ПРИВЕТ мир', 'ﬁle ligature', 'ΣΊΣΥΦΟΣ']
    await store.logs.insertBatch(p.id, null, texts.map((message, i) => event({ message, ts: T0 + i })), T0)
    for (const text of texts) {
      for (const q of [text, text.slice(0, 4), text.slice(-4)]) {
        t.same((await searchAll(store, { projectId: p.id, q })).map((e) => e.message), [text], `q=${JSON.stringify(q)}`)
      }
    }
    t.same((await searchAll(store, { projectId: p.id, q: 'привет' })).map((e) => e.message), ['ПРИВЕТ мир'], 'Cyrillic folds')
    t.same((await searchAll(store, { projectId: p.id, q: 'äpfel über öl' })).map((e) => e.message), ['Äpfel ÜBER Öl'], 'umlauts fold')
  })

  t.test('q: ASCII messages take the quick test, others the exact one, with the same answers', async (t) => {
    // SQLite only runs its JavaScript lower() on messages with a non-ASCII character; the rows
    // found must be the ones the exact test finds, on both databases.
    const store = await fresh(t)
    const p = await newProject(store)
    const texts = ['Kelvin scale', 'KELVIN SCALE', 'kelvin 100%', 'Kelvin \u212a sign', 'plain ascii_line', 'ÉCOLE kelvin']
    await store.logs.insertBatch(p.id, null, texts.map((message, i) => event({ message, ts: T0 + i })), T0)
    const cases: Array<[string, string[]]> = [
      ['kelvin', ['ÉCOLE kelvin', 'Kelvin \u212a sign', 'kelvin 100%', 'KELVIN SCALE', 'Kelvin scale']],
      // U+212A (KELVIN SIGN) lower-cases to an ASCII k in both databases.
      ['\u212aelvin', ['ÉCOLE kelvin', 'Kelvin \u212a sign', 'kelvin 100%', 'KELVIN SCALE', 'Kelvin scale']],
      ['\u212a sign', ['Kelvin \u212a sign']],
      ['école', ['ÉCOLE kelvin']],
      ['0%', ['kelvin 100%']],
      ['ascii_l', ['plain ascii_line']],
      ['ascii%l', []]
    ]
    for (const [q, expected] of cases) {
      t.same((await searchAll(store, { projectId: p.id, q })).map((e) => e.message), expected, `q=${JSON.stringify(q)}`)
    }
  })

  t.test('q across projects reads only the projects whose bucket can match, in order, paging intact', async (t) => {
    const store = await fresh(t)
    const [a, b, c] = [await newProject(store, 'a'), await newProject(store, 'b'), await newProject(store, 'c')]
    // The same ten minutes for all three; only a's, one of b's and (later) c's messages hold the
    // word: minute 1 is read for two projects, the others for a alone.
    for (const [p, word] of [[a, 'kangaroo'], [b, 'wombat'], [c, 'emu']] as const) {
      await store.logs.insertBatch(p.id, null, Array.from({ length: 30 }, (_, i) =>
        event({ message: `${word} ${i}`, ts: T0 + i * 20_000 + p.id })), T0)
    }
    await store.logs.insertBatch(b.id, null, [event({ message: 'wombat meets kangaroo', ts: T0 + 70_000 })], T0)
    await store.logs.insertBatch(c.id, null, [event({ message: 'late kangaroo', ts: T0 + 3 * HOUR })], T0)
    const all = await searchAll(store, { q: 'KANGAROO' })
    t.equal(all.length, 32)
    t.same(all[0]?.message, 'late kangaroo')
    t.same(all.slice(-6).map((e) => e.message), ['kangaroo 4', 'wombat meets kangaroo', 'kangaroo 3', 'kangaroo 2', 'kangaroo 1', 'kangaroo 0'], 'b\'s match in its place')
    t.ok(all.slice(1).every((e) => e.project_id === a.id || e.message === 'wombat meets kangaroo'), 'the rest from a, and b\'s one')
    const paged: number[] = []
    let before: LogQuery['before']
    do {
      const page = await store.logs.search({ q: 'kangaroo', limit: 7, ...(before === undefined ? {} : { before }) })
      paged.push(...page.events.map((e) => e.id))
      before = page.next ?? undefined
    } while (before !== undefined)
    t.same(paged, all.map((e) => e.id), 'pages of 7 put together are the whole list')
    t.same((await searchAll(store, { q: 'wombat 2' })).map((e) => e.message), ['wombat 29', 'wombat 28', 'wombat 27', 'wombat 26', 'wombat 25', 'wombat 24', 'wombat 23', 'wombat 22', 'wombat 21', 'wombat 20', 'wombat 2'])
  })

  t.test('source matches exactly, trailing spaces included', async (t) => {
    // MariaDB's utf8mb4_bin compares with PAD SPACE ('api' = 'api '); SQLite does not.
    const store = await fresh(t)
    const p = await newProject(store)
    await store.logs.insertBatch(p.id, null, ['api', 'api ', 'api  ', ' api'].map((source, i) => event({ message: `m${i}`, source, ts: T0 + i })), T0)
    for (const source of ['api', 'api ', 'api  ', ' api']) {
      t.same((await searchAll(store, { projectId: p.id, source })).map((e) => e.source), [source], JSON.stringify(source))
    }
  })

  t.test('keyset paging: newest first, equal ts values, no duplicates or gaps', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    // 3 distinct ts values for 40 events, inserted in two batches out of order.
    const events = Array.from({ length: 40 }, (_, i) => event({ message: `m${i}`, ts: T0 + (i % 3) * 1000 }))
    await store.logs.insertBatch(p.id, null, events.slice(20), T0)
    await store.logs.insertBatch(p.id, null, events.slice(0, 20), T0)
    const all = await searchAll(store, { projectId: p.id })
    t.equal(all.length, 40)
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!]
      t.ok(a.ts > b.ts || (a.ts === b.ts && a.id > b.id), `row ${i} is older than row ${i - 1}`)
    }

    for (const limit of [1, 7, 13, 40]) {
      const seen: LogRow[] = []
      let before: LogQuery['before']
      let pages = 0
      do {
        const page = await store.logs.search({ projectId: p.id, limit, ...(before === undefined ? {} : { before }) })
        seen.push(...page.events)
        t.ok(page.events.length <= limit)
        before = page.next ?? undefined
        pages++
        if (page.next !== null) {
          const last = page.events[page.events.length - 1]!
          t.same(page.next, { ts: Date.parse(last.ts), id: last.id }, 'next is the last row')
        }
      } while (before !== undefined && pages < 100)
      t.same(seen.map((e) => e.id), all.map((e) => e.id), `limit ${limit}: the pages put together are the whole list`)
      t.equal(pages, Math.ceil(40 / limit), `limit ${limit}: no empty last page`)
    }
    const exact = await store.logs.search({ projectId: p.id, limit: 40 })
    t.equal(exact.next, null, 'a page that holds the rest has no next')
  })

  t.test('removing a project removes its events and batch ids, not others', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store, 'p')
    const q = await newProject(store, 'q')
    await store.logs.insertBatch(p.id, 'b1', [event({ message: 'p1' }), event({ message: 'p2' })], T0)
    await store.logs.insertBatch(q.id, 'b1', [event({ message: 'q1' })], T0)
    t.equal(await store.projects.remove(p.id), true)
    t.same((await searchAll(store, {})).map((e) => e.message), ['q1'])
    t.equal(await store.logs.findBatch(p.id, 'b1'), null)
    t.equal(await store.logs.findBatch(q.id, 'b1'), 1)
  })

  t.test('migrate() a second time is a no-op', async (t) => {
    const store = await fresh(t)
    const p = await newProject(store)
    await store.logs.insertBatch(p.id, 'b', [event({ message: 'kept' })], T0)
    t.same(await store.migrate(), [], 'nothing left to apply')
    t.same(await store.migrate(), [])
    t.equal((await searchAll(store, {})).length, 1, 'data untouched')
    await store.ping()
  })
}

import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'
import { rawSql } from '../../helpers/raw-sql.js'

// The rollups are counts of `logs` kept at insert time: after inserts, retried batches, a purge
// and a project deletion they must say what a scan of `logs` says, on every backend.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0)

const event = (ts: number, level: number, fingerprint: string) =>
  ({ ts, level, message: `Request ${fingerprint} FAILED at ${ts % 997}`, source: 'api', fingerprint, stack: null, context: null })

/** Plain SQL on the test's database, outside the store (the rollups are not in its interface). */
const sqlOn = (url: string) => (text: string) => rawSql(url, text)

const floor = (ts: number, size: number): number => Math.floor(ts / size) * size
const key = (r: Record<string, unknown>, cols: string[]): string => cols.map((c) => String(Number.isNaN(Number(r[c])) ? r[c] : Number(r[c]))).join('|')

/** Rollup rows as sorted strings, and the same rows computed here from `logs`. */
async function compare (sql: ReturnType<typeof sqlOn>): Promise<{ actual: string[][], expected: string[][] }> {
  const logs = await sql('SELECT project_id, ts, received_at, level, fingerprint FROM logs')
  const minutes = new Map<string, number>()
  const hours = new Map<string, { n: number, first: number, last: number, received: number }>()
  const buckets = new Set<string>()
  const textMinutes = new Set<string>()
  for (const l of logs) {
    const ts = Number(l.ts)
    const m = `${Number(l.project_id)}|${floor(ts, MINUTE)}|${Number(l.level)}`
    minutes.set(m, (minutes.get(m) ?? 0) + 1)
    const h = `${Number(l.project_id)}|${floor(ts, HOUR)}|${String(l.fingerprint)}`
    const received = Number(l.received_at)
    const seen = hours.get(h) ?? { n: 0, first: ts, last: ts, received }
    hours.set(h, { n: seen.n + 1, first: Math.min(seen.first, ts), last: Math.max(seen.last, ts), received: Math.min(seen.received, received) })
    buckets.add(`${Number(l.project_id)}|${floor(ts, 10 * MINUTE)}`)
    textMinutes.add(`${Number(l.project_id)}|${floor(ts, MINUTE)}`)
  }
  const actual = [
    // Every event went into its minute's bitmap: `indexed` equals `n`.
    (await sql('SELECT * FROM log_minutes')).map((r) => `${key(r, ['project_id', 'minute', 'level'])}=${Number(r.n)},${Number(r.indexed)}`).sort(),
    (await sql('SELECT * FROM log_fingerprint_hours')).map((r) => `${key(r, ['project_id', 'hour', 'fingerprint'])}=${Number(r.n)},${Number(r.first_seen)},${Number(r.last_seen)},${Number(r.first_received)}`).sort(),
    (await sql('SELECT project_id, bucket FROM log_text_buckets')).map((r) => key(r, ['project_id', 'bucket'])).sort(),
    (await sql('SELECT project_id, minute FROM log_text_minutes')).map((r) => key(r, ['project_id', 'minute'])).sort()
  ]
  const expected = [
    [...minutes].map(([k, n]) => `${k}=${n},${n}`).sort(),
    [...hours].map(([k, v]) => `${k}=${v.n},${v.first},${v.last},${v.received}`).sort(),
    [...buckets].sort(),
    [...textMinutes].sort()
  ]
  return { actual, expected }
}

for (const backend of backends()) {
  t.test(backend, async (t) => {
    const { store, backend: b, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const sql = sqlOn(b.databaseUrl)
    const p = await store.projects.create({ name: 'p', key: 'tkp_p', secret: 's'.repeat(32), retention_hours: 48 }, T0)
    const q = await store.projects.create({ name: 'q', key: 'tkp_q', secret: 's'.repeat(32), retention_hours: 48 }, T0)

    // Five hours of events, several minutes, levels and fingerprints, out of order within a batch.
    for (let i = 0; i < 30; i++) {
      const batch = Array.from({ length: 20 }, (_, j) => event(T0 + i * 10 * MINUTE + ((j * 7919) % (9 * MINUTE)), [30, 40, 50][j % 3] as number, `f${(i + j) % 6}`))
      await store.logs.insertBatch(i % 4 === 0 ? q.id : p.id, `batch-${i}`, batch, T0)
    }

    await t.test('after inserts: the rollups are the counts of logs', async (t) => {
      const { actual, expected } = await compare(sql)
      t.same(actual, expected)
      t.ok((actual[0] ?? []).length > 50, 'many minute rows')
    })

    await t.test('a retried batch id counts once', async (t) => {
      const retry = Array.from({ length: 20 }, (_, j) => event(T0 + j, 50, 'f-retry'))
      t.same(await store.logs.insertBatch(p.id, 'batch-3', retry, T0), { accepted: 20, duplicate: true })
      const again = await Promise.all([1, 2, 3].map(() => store.logs.insertBatch(p.id, 'fresh', retry, T0)))
      t.same(again.filter((r) => !r.duplicate).length, 1, 'concurrent retries: one stores')
      const { actual, expected } = await compare(sql)
      t.same(actual, expected)
      t.equal((await store.stats.topFingerprints({ projectId: p.id }, T0, T0 + 6 * HOUR, 100)).find((f) => f.fingerprint === 'f-retry')?.count, 20)
    })

    await t.test('batches written at the same moment, of two projects, one refused: each stored batch counted once', async (t) => {
      // On SQLite these commit together (group commit) and their rollups are added up and written
      // once; the refused batch must add nothing, and each fingerprint's first receipt stays the
      // earliest of the batches that brought it, whatever order they commit in.
      const at = T0 + 5 * HOUR
      const batch = (i: number) => Array.from({ length: 20 }, (_, j) => event(at + i * 1_000 + j * 100, [30, 50][j % 2] as number, `g${(i + j) % 5}`))
      const refused = [event(at, 30, 'g-refused'), { ...event(at, 30, 'g-refused'), message: null as unknown as string }]
      const results = await Promise.allSettled([
        ...Array.from({ length: 6 }, (_, i) => store.logs.insertBatch(i % 3 === 0 ? q.id : p.id, `group-${i}`, batch(i), at + 60_000 - i * 1_000)),
        store.logs.insertBatch(p.id, 'group-refused', refused, at),
        ...Array.from({ length: 6 }, (_, i) => store.logs.insertBatch(i % 3 === 0 ? q.id : p.id, `group-${i + 6}`, batch(i + 6), at + 30_000 + i * 1_000)),
        store.logs.insertBatch(p.id, 'group-2', batch(2), at)
      ])
      t.same(results.map((r) => r.status), [...Array(6).fill('fulfilled'), 'rejected', ...Array(7).fill('fulfilled')])
      t.same((results[13] as PromiseFulfilledResult<unknown>).value, { accepted: 20, duplicate: true }, 'a repeat within the group is a duplicate')
      const { actual, expected } = await compare(sql)
      t.same(actual, expected)
      t.equal(Number((await sql("SELECT COUNT(*) AS n FROM log_fingerprint_hours WHERE fingerprint = 'g-refused'"))[0]?.n), 0, 'nothing of the refused batch')
    })

    await t.test('every stored message is found by a substring of it (the text bitmaps admit it)', async (t) => {
      const rows = await sql('SELECT id, project_id, message FROM logs')
      for (const r of rows.filter((_, i) => i % 37 === 0)) {
        const message = String(r.message)
        const page = await store.logs.search({ projectId: Number(r.project_id), q: message.slice(8, 20).toLowerCase(), limit: 1000 })
        t.ok(page.events.some((e) => e.id === Number(r.id)), message)
      }
    })

    await t.test('after a purge: no rollup row of a bucket wholly past retention, the rest exact', async (t) => {
      const cutoff = T0 + 2 * HOUR
      for (const id of [p.id, q.id]) {
        let after = null
        do { after = (await store.maintenance.purgeLogs(id, cutoff, 7, after)).next } while (after !== null)
      }
      const { actual, expected } = await compare(sql)
      t.same(actual, expected, 'the cutoff is on an hour: every bucket is wholly in or out')
      t.equal(Number((await sql(`SELECT COUNT(*) AS n FROM log_fingerprint_hours WHERE hour < ${cutoff}`))[0]?.n), 0)
    })

    await t.test('deleting a project deletes its rollup rows, not the other project\'s', async (t) => {
      t.ok(await store.projects.remove(q.id))
      for (const table of ['log_minutes', 'log_fingerprint_hours', 'log_text_buckets', 'log_text_minutes']) {
        t.equal(Number((await sql(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ${q.id}`))[0]?.n), 0, table)
        t.ok(Number((await sql(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ${p.id}`))[0]?.n) > 0, table)
      }
      const { actual, expected } = await compare(sql)
      t.same(actual, expected)
    })
  })
}

import t from 'tap'
import { GroupRollups, hourOf, minuteOf, RollupAccumulator, rollupRows } from '../../../server/dist/storage/rollup-rows.js'
import { mayMatch, queryBits } from '../../../server/dist/storage/text-bits.js'

// One batch, or a group of them → the rows they add to each rollup: grouped, counted and sorted by key.

const H = 3_600_000
const T0 = Date.UTC(2026, 10, 27, 22, 0, 0)
const e = (ts: number, level: number, fingerprint: string, message = 'm') => ({ ts, level, message, fingerprint })
const RECEIVED = T0 + 2 * H

t.test('bucket starts are floors, also before 1970', async (t) => {
  t.equal(minuteOf(T0 + 59_999), T0)
  t.equal(hourOf(T0 + H - 1), T0)
  t.equal(minuteOf(-1), -60_000)
})

t.test('a batch groups into (minute, level) and (hour, fingerprint) rows, in key order', async (t) => {
  const rows = rollupRows([
    e(T0 + H + 5, 50, 'b'),
    e(T0 + 1_000, 30, 'b'),
    e(T0 + 2_000, 30, 'a'),
    e(T0 + 61_000, 30, 'b'),
    e(T0 + 500, 30, 'b')
  ], RECEIVED)
  t.same(rows.minutes, [
    { minute: T0, level: 30, n: 3 },
    { minute: T0 + 60_000, level: 30, n: 1 },
    { minute: T0 + H, level: 50, n: 1 }
  ])
  t.same(rows.fingerprints, [
    { hour: T0, fingerprint: 'a', n: 1, first_seen: T0 + 2_000, last_seen: T0 + 2_000, first_received: RECEIVED },
    { hour: T0, fingerprint: 'b', n: 3, first_seen: T0 + 500, last_seen: T0 + 61_000, first_received: RECEIVED },
    { hour: T0 + H, fingerprint: 'b', n: 1, first_seen: T0 + H + 5, last_seen: T0 + H + 5, first_received: RECEIVED }
  ])
  t.same(rows.textMinutes.map((r) => r.bucket), [T0, T0 + 60_000, T0 + H], 'one bitmap per minute')
  t.same(rows.textBuckets.map((r) => r.bucket), [T0, T0 + H], 'one bitmap per 10-minute bucket')
})

t.test('200 events of 40 fingerprints in one minute: a few upserts', async (t) => {
  const events = Array.from({ length: 200 }, (_, i) => e(T0 + i, [30, 40, 50][i % 3] as number, `f${i % 40}`, `message ${i % 40}`))
  const rows = rollupRows(events, RECEIVED)
  t.equal(rows.minutes.length, 3)
  t.equal(rows.fingerprints.length, 40)
  t.equal(rows.textMinutes.length, 1)
  t.equal(rows.textBuckets.length, 1)
  t.equal(rows.fingerprints.reduce((n, f) => n + f.n, 0), 200)
})

t.test('a bucket bitmap holds every trigram of its messages', async (t) => {
  const [bucket] = rollupRows([e(T0, 30, 'f', 'DB Timeout after 503 ms'), e(T0 + 1, 30, 'g', 'cache miss')], RECEIVED).textBuckets
  const bits = bucket?.bits as Uint8Array
  for (const q of ['db timeout', 'TIMEOUT', 'Out aft', '503', 'cache miss', 'che mi']) {
    t.ok(mayMatch(bits, queryBits(q) as number[]), q)
  }
  for (const q of ['timeouts', 'cache hit', '504']) t.notOk(mayMatch(bits, queryBits(q) as number[]), `${q}: not there`)
})

t.test('a minute bitmap holds its own minute\'s messages; the bucket holds them all', async (t) => {
  const rows = rollupRows([e(T0 + 5, 30, 'f', 'disk full on sda1'), e(T0 + 60_000, 30, 'g', 'cache miss'), e(T0 + 9 * 60_000, 30, 'h', 'kangaroo loose')], RECEIVED)
  const [first, second, last] = rows.textMinutes.map((r) => r.bits)
  const admits = (bits: Uint8Array | undefined, q: string): boolean => mayMatch(bits as Uint8Array, queryBits(q) as number[])
  t.ok(admits(first, 'disk full'))
  t.notOk(admits(first, 'cache miss'), 'another minute\'s message is not in it')
  t.ok(admits(second, 'cache miss'))
  t.ok(admits(last, 'kangaroo'))
  t.notOk(admits(last, 'disk full'))
  for (const q of ['disk full', 'cache miss', 'kangaroo']) t.ok(admits(rows.textBuckets[0]?.bits, q), `bucket admits ${q}`)
})

t.test('a group of batches adds up to the rows of its batches, counted once each', async (t) => {
  const first = [e(T0 + 1_000, 30, 'a', 'disk full'), e(T0 + 2_000, 50, 'b', 'cache miss')]
  const second = [e(T0 + 500, 30, 'a', 'disk full'), e(T0 + 61_000, 30, 'c', 'kangaroo loose')]
  const third = [e(T0 + 3_000, 30, 'a', 'disk full again')]
  const group = new RollupAccumulator()
  // Receipt times need not follow the order in which the group commits its batches.
  group.add(first, RECEIVED + 20)
  group.add(second, RECEIVED + 10)
  group.add(third, RECEIVED + 30)
  const rows = group.rows()
  t.same(rows.minutes, [
    { minute: T0, level: 30, n: 3 },
    { minute: T0, level: 50, n: 1 },
    { minute: T0 + 60_000, level: 30, n: 1 }
  ])
  t.same(rows.fingerprints, [
    { hour: T0, fingerprint: 'a', n: 3, first_seen: T0 + 500, last_seen: T0 + 3_000, first_received: RECEIVED + 10 },
    { hour: T0, fingerprint: 'b', n: 1, first_seen: T0 + 2_000, last_seen: T0 + 2_000, first_received: RECEIVED + 20 },
    { hour: T0, fingerprint: 'c', n: 1, first_seen: T0 + 61_000, last_seen: T0 + 61_000, first_received: RECEIVED + 10 }
  ], 'a fingerprint\'s first receipt is the earliest of the batches it came in')

  // Bitmaps: the union of the batches' own.
  const alone = [first, second, third].map((b, i) => rollupRows(b, RECEIVED + i))
  t.equal(rows.textMinutes.length, 2)
  for (const [i, minute] of rows.textMinutes.entries()) {
    const expected = new Uint8Array(minute.bits.length)
    for (const r of alone) {
      const own = r.textMinutes.find((m) => m.bucket === minute.bucket)
      if (own !== undefined) for (let k = 0; k < expected.length; k++) expected[k] = (expected[k] as number) | (own.bits[k] as number)
    }
    t.same(minute.bits, expected, `minute ${i}: the OR of its batches' bitmaps`)
  }
  t.equal(rows.textBuckets.length, 1)
  for (const q of ['disk full again', 'cache miss', 'kangaroo']) {
    t.ok(mayMatch(rows.textBuckets[0]?.bits as Uint8Array, queryBits(q) as number[]), `bucket admits ${q}`)
  }
})

t.test('a group\'s rollups are kept per project, handed out in ascending project order', async (t) => {
  const group = new GroupRollups()
  group.add(7, [e(T0, 30, 'a')], RECEIVED)
  group.add(2, [e(T0, 50, 'b')], RECEIVED)
  group.add(7, [e(T0 + 1, 30, 'a')], RECEIVED - 5)
  const byProject = group.byProject()
  t.same(byProject.map(([id]) => id), [2, 7])
  t.same(byProject[0]?.[1].fingerprints.map((f) => [f.fingerprint, f.n]), [['b', 1]])
  t.same(byProject[1]?.[1].fingerprints.map((f) => [f.fingerprint, f.n, f.first_received]), [['a', 2, RECEIVED - 5]], 'one project\'s batches add up')
})

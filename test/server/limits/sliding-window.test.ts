import t from 'tap'
import { bucketStart, retryAfterSeconds, windowFloor } from '../../../server/dist/limits/sliding-window.js'

t.test('buckets are whole seconds and the window holds the last 60 of them', async (t) => {
  t.equal(bucketStart(12_345), 12_000)
  t.equal(windowFloor(120_500), 60_000)
})

t.test('retry-after is the time until enough old buckets slide out', async (t) => {
  const now = 100_000
  const buckets = [
    { start: 45_000, count: 300 }, // leaves the window at 105 000
    { start: 70_000, count: 200 }, // leaves at 130 000
    { start: 99_000, count: 100 }
  ]
  t.equal(retryAfterSeconds(buckets, now, 600, 100), 5, 'dropping the oldest bucket makes room')
  t.equal(retryAfterSeconds(buckets, now, 600, 400), 30, 'needs the two oldest to leave')
  t.equal(retryAfterSeconds(buckets, now, 600, 601), 60, 'a batch larger than the limit waits a whole window')
  t.equal(retryAfterSeconds([{ start: 40_000, count: 600 }], now, 600, 1), 1, 'expired buckets do not count')
})

import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
// @ts-expect-error plain JavaScript module without types
import { pacedGc } from '../../bench/lib/paced-gc.js'

// The receiver-down runs force a full collection before each heap sample. One that takes long
// must push the next one back, or a grown heap spends its whole time collecting.

const busy = (ms: number): void => { const end = performance.now() + ms; while (performance.now() < end); }

t.test('a slow collection pushes the next back to 9x its duration', async (t) => {
  let collections = 0
  let samples = 0
  const stop = pacedGc(10, () => { samples++ }, { collect: () => { collections++; busy(30) } })
  await sleep(600)
  stop()
  // 10 ms apart they would be ~15 in 600 ms; paced, the second waits ~270 ms after the first.
  t.ok(collections >= 1 && collections <= 3, `${collections} collections in 600 ms`)
  t.equal(samples, collections, 'one sample right after each')
})

t.test('a quick collection keeps the minimum interval, and stop() ends it', async (t) => {
  let collections = 0
  const stop = pacedGc(20, () => {}, { collect: () => { collections++ } })
  await sleep(300)
  stop()
  const atStop = collections
  t.ok(atStop >= 3, `${atStop} collections in 300 ms at a 20 ms minimum`)
  await sleep(100)
  t.equal(collections, atStop, 'none after stop()')
})

import t from 'tap'
import { FALLBACK_PACKET_BYTES, INSERT_LADDER, insertBudget, insertSizes, PACKET_HEADROOM_BYTES, ROW_OVERHEAD_BYTES, rowBytes } from '../../../server/dist/storage/mysql/insert-chunks.js'

const rows = (n: number, bytes = 1500): number[] => Array.from({ length: n }, () => bytes)
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

t.test('a batch that fits goes in one INSERT of its own size', async (t) => {
  t.same(insertSizes(rows(200), 8 << 20), [200])
  t.same(insertSizes(rows(1), 8 << 20), [1])
  t.same(insertSizes([], 8 << 20), [])
})

t.test('a group is cut to the ladder, largest first, then the remainder', async (t) => {
  t.same(insertSizes(rows(2000), 8 << 20), [1000, 1000], 'ten seed batches: two INSERTs')
  t.same(insertSizes(rows(1800), 8 << 20), [1000, 500, 250, 50])
  t.same(insertSizes(rows(1200), 8 << 20), [1000, 200])
  t.same(insertSizes(rows(400), 8 << 20), [250, 150])
  t.same(insertSizes(rows(2249), 8 << 20), [1000, 1000, 249])
})

t.test('every count is a ladder step or under the smallest, whatever the sizes', async (t) => {
  const small = INSERT_LADDER[INSERT_LADDER.length - 1] as number
  let seed = 7
  const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
  for (let k = 0; k < 200; k++) {
    const bytes = Array.from({ length: 1 + Math.floor(rand() * 2250) }, () => 100 + Math.floor(rand() * (rand() < 0.05 ? 400_000 : 3000)))
    const max = 64 * 1024 + Math.floor(rand() * (8 << 20))
    const sizes = insertSizes(bytes, max)
    t.equal(sum(sizes), bytes.length, 'every row once')
    let at = 0
    for (const n of sizes) {
      if (!((INSERT_LADDER as readonly number[]).includes(n) || (n > 0 && n < small))) t.fail(`count ${n} is off the ladder`)
      const taken = sum(bytes.slice(at, at + n))
      if (n > 1 && taken > max) t.fail(`${n} rows of ${taken} bytes over ${max}`)
      at += n
    }
  }
  t.pass('checked 200 random groups')
})

t.test('the byte budget cuts an INSERT short; a row over it goes alone', async (t) => {
  t.same(insertSizes(rows(10, 1000), 3500), [3, 3, 3, 1])
  t.same(insertSizes([100, 5000, 100, 100], 1000), [1, 1, 2])
  t.same(insertSizes(rows(600, 1000), 400_000), [250, 250, 100], '400 fit, so 250 of them')
})

t.test('rowBytes counts UTF-8 bytes of every string and a fixed overhead', async (t) => {
  t.equal(rowBytes({ ts: 1, level: 30, message: 'é€😀', source: null, stack: null, context: null, fingerprint: 'abc' }),
    ROW_OVERHEAD_BYTES + 2 + 3 + 4 + 3)
  t.equal(rowBytes({ ts: 1, level: 30, message: 'm', source: 'api', stack: 'Error: x', context: '{"a":1}', fingerprint: 'f' }),
    ROW_OVERHEAD_BYTES + 1 + 3 + 8 + 7 + 1)
})

t.test('insertBudget: under the server\'s packet limit, at most the cap, a small default when unknown', async (t) => {
  t.equal(insertBudget(16 << 20, 8 << 20), 8 << 20, 'a 16 MiB server: the 8 MiB cap')
  t.equal(insertBudget('4194304', 8 << 20), (4 << 20) - PACKET_HEADROOM_BYTES, 'a 4 MiB server (as a string): less the headroom')
  for (const unknown of [undefined, null, 'ON', 0, -1, Number.NaN]) {
    t.equal(insertBudget(unknown, 8 << 20), FALLBACK_PACKET_BYTES - PACKET_HEADROOM_BYTES, `${String(unknown)}: the smallest default`)
  }
})

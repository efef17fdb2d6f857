import t from 'tap'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Ring } from '../../transports/dist/core/ring.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const fill = (ring: Ring<string>, from: number, to: number): void => {
  for (let i = from; i <= to; i++) ring.push(`line ${i}`)
}

t.test('take() gives the unconfirmed lines up to a sequence number, oldest first, once', async (t) => {
  const ring = new Ring<string>(10)
  fill(ring, 1, 6)
  t.equal(ring.lastSeq, 6)
  ring.confirm(2)
  t.same(ring.take(4), ['line 3', 'line 4'])
  t.same(ring.take(4), [], 'taken lines count as confirmed')
  t.same(ring.take(), ['line 5', 'line 6'])
  ring.confirm(3)
  fill(ring, 7, 7)
  t.same(ring.take(), ['line 7'], 'confirming behind what was taken changes nothing')
  t.same(ring.take(99), [], 'a sequence number past the newest line')
})

t.test('past its capacity the oldest lines go, across many turns of the ring', async (t) => {
  const ring = new Ring<string>(4)
  fill(ring, 1, 10)
  t.same(ring.take(), ['line 7', 'line 8', 'line 9', 'line 10'])
  fill(ring, 11, 13)
  ring.confirm(11)
  t.same(ring.take(), ['line 12', 'line 13'])
  fill(ring, 14, 1000)
  t.same(ring.take(500), [], 'lines already overwritten are gone')
  ring.confirm(998)
  t.same(ring.take(), ['line 999', 'line 1000'])
})

t.test('a confirmed line is let go at once, not when the ring comes round', async (t) => {
  const ring = new Ring<object>(100)
  let line: object | null = { big: 'x'.repeat(1000) }
  const ref = new WeakRef(line)
  ring.push(line)
  line = null
  ring.confirm(1)
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  t.equal(ref.deref(), undefined, 'collected after confirm')
  ring.push({})
  t.same(ring.take(), [{}], 'later lines are still held')
})

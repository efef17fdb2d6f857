import t from 'tap'
import { setImmediate as tick } from 'node:timers/promises'
import { singleFlight } from '../../../server/dist/single-flight.js'

t.test('calls for a key in flight share one lookup; the next call after it settles looks again', async (t) => {
  const asked: string[] = []
  let version = 0
  const find = singleFlight(async (key) => {
    asked.push(key)
    await tick()
    return `${key}@${++version}`
  })
  const first = await Promise.all([find('a'), find('a'), find('b'), find('a')])
  t.same(first, ['a@1', 'a@1', 'b@2', 'a@1'])
  t.same(asked, ['a', 'b'])
  t.equal(await find('a'), 'a@3', 'nothing is kept once a lookup settles')
})

t.test('a failed lookup fails the calls that shared it, and is not kept', async (t) => {
  let fail = true
  const find = singleFlight(async (key) => {
    await tick()
    if (fail) throw new Error('database down')
    return key
  })
  const shared = [find('k'), find('k')]
  for (const p of shared) await t.rejects(p, { message: 'database down' })
  fail = false
  t.equal(await find('k'), 'k')
})

import t from 'tap'
import { AnswerCache } from '../../server/dist/dashboard/answer-cache.js'

t.test('answers are reused within the TTL, shared while in flight, and reloaded after', async (t) => {
  const cache = new AnswerCache<number>(30_000)
  let loads = 0
  const load = async () => ++loads
  const [a, b] = await Promise.all([cache.get('k', 0, load), cache.get('k', 10, load)])
  t.same([a, b, loads], [1, 1, 1], 'one load for two concurrent askers')
  t.equal(await cache.get('k', 29_999, load), 1)
  t.equal(await cache.get('other', 29_999, load), 2, 'keys are separate')
  t.equal(await cache.get('k', 30_000, load), 3, 'reloaded after the TTL')
})

t.test('a failure is not remembered, and the table stays bounded', async (t) => {
  const cache = new AnswerCache<string>(30_000, 2)
  await t.rejects(cache.get('k', 0, async () => { throw new Error('db down') }))
  t.equal(await cache.get('k', 1, async () => 'ok'), 'ok', 'the next ask loads again')
  await cache.get('b', 1, async () => 'b')
  await cache.get('c', 1, async () => 'c')
  t.equal(await cache.get('k', 2, async () => 'reloaded'), 'reloaded', 'the oldest entry was evicted')
})

import t from 'tap'
import { SignInThrottle } from '../../server/dist/dashboard/sign-in-throttle.js'

t.test('free attempts, then a doubling wait, capped, per client', async (t) => {
  const throttle = new SignInThrottle({ freeAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 })
  let now = 0
  t.same([throttle.fail('a', now), throttle.fail('a', now), throttle.fail('a', now)], [0, 0, 0])
  t.equal(throttle.fail('a', now), 1_000)
  t.equal(throttle.waitMs('a', now + 400), 600)
  t.equal(throttle.waitMs('b', now), 0, 'another client is not slowed')
  now += 1_000
  t.equal(throttle.fail('a', now), 2_000)
  now += 2_000
  t.equal(throttle.fail('a', now), 4_000)
  now += 4_000
  t.equal(throttle.fail('a', now), 4_000, 'capped')
  throttle.succeed('a')
  t.equal(throttle.waitMs('a', now), 0, 'a success forgets the failures')
})

t.test('old failures are forgotten, and the table stays bounded', async (t) => {
  const throttle = new SignInThrottle({ freeAttempts: 1, forgetAfterMs: 10_000, maxTracked: 2 })
  throttle.fail('a', 0)
  t.equal(throttle.fail('a', 20_000), 0, 'the first failure was forgotten')
  throttle.fail('b', 20_000)
  throttle.fail('c', 20_000)
  t.equal(throttle.fail('a', 20_000), 0, 'a was evicted as the oldest entry')
})

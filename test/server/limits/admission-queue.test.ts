import t from 'tap'
import { StorageUnavailableError } from '../../../server/dist/errors.js'
import { AdmissionQueue } from '../../../server/dist/limits/admission-queue.js'
import type { LimitStore } from '../../../server/dist/storage/limit-store.js'
import { backends, createTestStore } from '../../helpers/backends.js'

// Requests on one subject that arrive together share one statement, on a real store: the counts
// it leaves must be exactly those of admitting them one by one.

/** The real limit store, counting the statements it is asked for (and failing the ones listed). */
function counted (limits: LimitStore, failCalls: number[] = []): { limits: LimitStore, calls: Array<{ amount: number, limit: number }> } {
  const calls: Array<{ amount: number, limit: number }> = []
  return {
    calls,
    limits: {
      ...limits,
      async admit (scope, subject, amount, limit, now) {
        calls.push({ amount, limit })
        if (failCalls.includes(calls.length)) throw new StorageUnavailableError(new Error('connection lost'))
        return await limits.admit(scope, subject, amount, limit, now)
      }
    }
  }
}

const used = async (limits: LimitStore, subject: string): Promise<number> =>
  (await limits.window('ip', subject, Date.now())).reduce((sum, b) => sum + b.count, 0)

for (const backend of backends()) {
  t.test(`${backend}: 40 requests at once under the limit take two statements`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const { limits, calls } = counted(store.limits)
    const queue = new AdmissionQueue(limits)
    const now = Date.now()
    const results = await Promise.all(Array.from({ length: 40 }, () => queue.admit('ip', '203.0.113.1', 1, 1000, now)))
    t.same(results, Array(40).fill(now), 'all admitted, in the bucket of their statement')
    t.same(calls, [{ amount: 1, limit: 1000 }, { amount: 39, limit: 1000 }], 'the first alone, the 39 that waited for it together')
    t.equal(await used(store.limits, '203.0.113.1'), 40)
  })

  t.test(`${backend}: over the limit, exactly the first requests fit`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const { limits, calls } = counted(store.limits)
    const queue = new AdmissionQueue(limits)
    const now = Date.now()
    const results = await Promise.all(Array.from({ length: 40 }, () => queue.admit('ip', '203.0.113.2', 1, 25, now)))
    t.same(results.map((r) => r !== null), [...Array(25).fill(true), ...Array(15).fill(false)], 'arrival order decides')
    t.equal(calls.length, 1 + 1 + 39, 'the sum did not fit, so each was tried alone')
    t.equal(await used(store.limits, '203.0.113.2'), 25, 'nothing refused was counted')
  })

  t.test(`${backend}: each request keeps its own limit inside a group`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const queue = new AdmissionQueue(store.limits)
    const now = Date.now()
    // One IP sending for projects whose IP limits differ.
    const results = await Promise.all([100, 100, 2, 100].map((limit) => queue.admit('ip', '203.0.113.3', 1, limit, now)))
    t.same(results.map((r) => r !== null), [true, true, false, true], 'the third is over its own limit of 2, the fourth is not over 100')
    t.equal(await used(store.limits, '203.0.113.3'), 3)
  })

  t.test(`${backend}: subjects do not share a statement`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const { limits, calls } = counted(store.limits)
    const queue = new AdmissionQueue(limits)
    const now = Date.now()
    await Promise.all(['1', '2', '1', '2', '1', '2'].map((s) => queue.admit('ip', `198.51.100.${s}`, 1, 1000, now)))
    t.same(calls.map((c) => c.amount), [1, 1, 2, 2], 'each subject: its first alone, then its own two together')
    t.equal(await used(store.limits, '198.51.100.1'), 3)
    t.equal(await used(store.limits, '198.51.100.2'), 3)
  })

  t.test(`${backend}: a failed statement fails its own group only, and the next one goes`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const { limits } = counted(store.limits, [2])
    const queue = new AdmissionQueue(limits)
    const now = Date.now()
    const first = queue.admit('ip', '203.0.113.4', 1, 100, now)
    const group = [queue.admit('ip', '203.0.113.4', 1, 100, now), queue.admit('ip', '203.0.113.4', 1, 100, now)]
    t.equal(await first, now)
    for (const p of group) await t.rejects(p, { code: 'TEKNO_ERR_STORAGE_UNAVAILABLE' }, 'the group that waited shared the failure')
    t.equal(await queue.admit('ip', '203.0.113.4', 1, 100, now), now, 'a request after the failure is admitted')
    t.equal(await used(store.limits, '203.0.113.4'), 2)
  })
}

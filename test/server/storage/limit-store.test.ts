import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'

// Rate-limit admission under concurrency, on the store itself: one busy project (or one client
// IP) means every request updates the same counter row at once. Admission must neither fail
// (MySQL once answered such a burst with deadlocks, and a 503 after three) nor let more through
// than the limit.

const WORKERS = 10

async function burst (workers: number, perWorker: number, fn: () => Promise<boolean>): Promise<{ admitted: number, refused: number }> {
  let admitted = 0
  let refused = 0
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let i = 0; i < perWorker; i++) {
      if (await fn()) admitted++
      else refused++
    }
  }))
  return { admitted, refused }
}

for (const backend of backends()) {
  t.test(`${backend}: ${WORKERS} requests at a time on one subject, under the limit: all admitted`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const r = await burst(WORKERS, 100, () => store.limits.admit('ip', '203.0.113.7', 1, 1_000_000, Date.now()))
    t.same(r, { admitted: WORKERS * 100, refused: 0 })
    const window = await store.limits.window('ip', '203.0.113.7', Date.now())
    t.equal(window.reduce((sum, b) => sum + b.count, 0), WORKERS * 100, 'every admission counted once')
  })

  t.test(`${backend}: ${WORKERS} at a time over the limit: exactly the limit admitted`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const now = Date.now()
    const r = await burst(WORKERS, 40, () => store.limits.admit('project', '1', 10, 2_500, now))
    t.same(r, { admitted: 250, refused: WORKERS * 40 - 250 })
  })
}

import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'

// Many batches of one project at once, as a busy service behind several receivers sends them.
// Each writer has a minute and fingerprints of its own, so the only rollup row they all share is
// the 10-minute bucket's trigram bitmap: nothing else queues them. Every batch must be stored,
// counted once, and found by text search, which needs each batch's new trigrams to survive the
// others' concurrent updates of that bitmap.

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0)
const WORKERS = 10
const ROUNDS = 4

/** A word no other batch has: its trigrams are new to the bitmaps. */
const wordOf = (w: number, r: number): string => `zq${String.fromCharCode(97 + w)}${String.fromCharCode(97 + r)}x${w * 7 + r}`

for (const backend of backends()) {
  t.test(`${backend}: ${WORKERS} writers at once in one project's 10-minute bucket`, async (t) => {
    const { store, destroy } = await createTestStore(backend)
    t.teardown(destroy)
    const p = await store.projects.create({ name: 'busy', key: 'tkp_busy', secret: 's'.repeat(32), retention_hours: 48 }, T0)
    // A first batch, so every writer starts from a bitmap row it has cached (the locking path).
    await store.logs.insertBatch(p.id, null, [{ ts: T0, level: 30, message: 'warm up', source: null, fingerprint: 'f', stack: null, context: null }], T0)

    await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
      for (let r = 0; r < ROUNDS; r++) {
        const word = wordOf(w, r)
        const events = Array.from({ length: 20 }, (_, i) => ({
          ts: T0 + w * 60_000 + 1000 + r * 100 + i, level: [30, 40, 50][i % 3] as number, message: `order ${word} line ${i}`,
          source: null, fingerprint: `w${w}-f${i % 4}`, stack: null, context: null
        }))
        const result = await store.logs.insertBatch(p.id, `w${w}-r${r}`, events, T0)
        t.same(result, { accepted: 20, duplicate: false }, `${word} stored`)
      }
    }))

    const minutes = await store.stats.levelMinutes({ projectId: p.id }, T0, T0 + WORKERS * 60_000)
    t.equal(minutes.reduce((sum, m) => sum + m.count, 0), 1 + WORKERS * ROUNDS * 20, 'the minutes count every event once')
    for (let w = 0; w < WORKERS; w++) {
      for (let r = 0; r < ROUNDS; r++) {
        const page = await store.logs.search({ projectId: p.id, q: wordOf(w, r), limit: 100 })
        t.equal(page.events.length, 20, `${wordOf(w, r)}: its bits survived the other writers`)
      }
    }
  })
}

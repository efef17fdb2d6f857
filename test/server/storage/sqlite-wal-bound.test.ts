import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { SqliteStore } from '../../../server/dist/storage/sqlite/sqlite-store.js'
import { validateBatch } from '../../../server/dist/ingest/validate.js'

// Under writes that never pause, a PASSIVE checkpoint never finds the WAL wholly copied, so the
// writer would never start it again: the checkpointer must hold the writer back for a moment once
// the WAL is past its bound. Run here with a 4 MiB bound, checked every 50 ms.

const RESTART_BYTES = 4 * 1024 * 1024

t.test('the WAL stays near its bound while batches arrive without a pause', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-wal-'))
  const file = join(dir, 'tekno.sqlite')
  const store = new SqliteStore(file, { everyMs: 50, restartBytes: RESTART_BYTES })
  t.teardown(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await store.migrate()
  const project = await store.projects.create({ name: 'wal', key: 'wal_key', secret: 's'.repeat(32), retention_hours: 24 }, Date.now())

  const filler = 'x'.repeat(1000)
  let n = 0
  let bytes = 0
  let largestWal = 0
  const sampler = setInterval(() => {
    try { largestWal = Math.max(largestWal, statSync(`${file}-wal`).size) } catch { /* not there yet */ }
  }, 10)
  // Four writers at once keep a group always waiting for the writer thread: it never idles.
  const writer = async (): Promise<void> => {
    while (bytes < 120_000_000) {
      const now = Date.now()
      const body = { events: Array.from({ length: 100 }, (_, i) => ({ ts: new Date(now + i).toISOString(), level: 'info', message: `event ${i}`, context: { filler } })) }
      await store.logs.insertBatch(project.id, `b${n++}`, validateBatch(body, now).events, now)
      bytes += 100 * 1100
    }
  }
  await Promise.all([writer(), writer(), writer(), writer()])
  clearInterval(sampler)

  t.ok(largestWal > RESTART_BYTES, `the WAL did pass its bound (${largestWal} bytes at most)`)
  // Never restarted, the WAL would hold every page written: well over the 120 MB of rows.
  t.ok(largestWal < 40_000_000, `the WAL stayed near its bound: ${largestWal} bytes at most, for ${n} batches of about 110 KB`)
  t.equal((await store.logs.search({ projectId: project.id, limit: 1 })).events.length, 1, 'the rows read back')
})

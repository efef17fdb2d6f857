import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { SqliteStore } from '../../../server/dist/storage/sqlite/sqlite-store.js'
import { validateBatch } from '../../../server/dist/ingest/validate.js'
import type { CheckpointSettings } from '../../../server/dist/storage/sqlite/wal-checkpoint.js'

// The checkpointer thread copies the WAL back into the database file while the receiver runs, and
// the writer then reuses the WAL rather than growing it by every page ever written.

const size = (path: string): number => { try { return statSync(path).size } catch { return 0 } }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until (what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** A migrated store in a fresh folder, with one project; `batch()` stores 100 events of about 1.1 KB. */
async function openWalStore (t: Test, checkpoints?: CheckpointSettings) {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-wal-'))
  const file = join(dir, 'tekno.sqlite')
  const store = new SqliteStore(file, checkpoints)
  t.teardown(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await store.migrate()
  const project = await store.projects.create({ name: 'wal', key: 'wal_key', secret: 's'.repeat(32), retention_hours: 24 }, Date.now())
  const filler = 'x'.repeat(1000)
  let n = 0
  const batch = async (message: (batch: number, i: number) => string): Promise<void> => {
    const now = Date.now()
    const b = n++
    const body = { events: Array.from({ length: 100 }, (_, i) => ({ ts: new Date(now + i).toISOString(), level: 'info', message: message(b, i), context: { filler } })) }
    await store.logs.insertBatch(project.id, `b${b}`, validateBatch(body, now).events, now)
  }
  const readBack = async (): Promise<number> => (await store.logs.search({ projectId: project.id, limit: 1 })).events.length
  return { file, wal: `${file}-wal`, batch, readBack, batches: () => n }
}

t.test('the WAL is checkpointed into the database file and then reused', async (t) => {
  const { file, wal, batch, readBack } = await openWalStore(t)
  const write = async (batches: number): Promise<void> => {
    for (let b = 0; b < batches; b++) await batch((n, i) => `event ${n} ${i}`)
  }

  await write(20)
  await until('the rows to reach the database file', () => size(file) > 2_000_000)
  const walBytes = size(wal)
  t.pass(`the first 2 000 events reached the database file (${size(file)} bytes; WAL ${walBytes} bytes)`)

  // Each small round starts once the WAL is wholly copied (no writes for over a tick): its first
  // commit starts the WAL again from the top, inside the file the first round grew. Never
  // checkpointed, or never restarted, each round would lengthen the file.
  for (let round = 1; round <= 3; round++) {
    await sleep(1500)
    await write(2)
    t.equal(size(wal), walBytes, `after small round ${round} the WAL file is still ${walBytes} bytes`)
  }
  await until('every round to reach the database file', () => size(file) > 2_500_000)
  t.equal(await readBack(), 1, 'the rows read back')
})

// Under writes that never pause, a PASSIVE checkpoint never finds the WAL wholly copied, so the
// writer would never start it again: past the bound, the writer finishes the copy itself between
// two transactions. Run here with a 4 MiB bound, checked every 50 ms.
t.test('the WAL stays near its bound while batches arrive without a pause', async (t) => {
  const RESTART_BYTES = 4 * 1024 * 1024
  const { wal, batch, readBack, batches } = await openWalStore(t, { everyMs: 50, restartBytes: RESTART_BYTES })
  let bytes = 0
  let largestWal = 0
  const sampler = setInterval(() => { largestWal = Math.max(largestWal, size(wal)) }, 10)
  // Four writers at once keep a group always waiting for the writer thread: it never idles.
  const writer = async (): Promise<void> => {
    while (bytes < 120_000_000) {
      await batch((_, i) => `event ${i}`)
      bytes += 100 * 1100
    }
  }
  await Promise.all([writer(), writer(), writer(), writer()])
  clearInterval(sampler)

  t.ok(largestWal > RESTART_BYTES, `the WAL did pass its bound (${largestWal} bytes at most)`)
  // Never restarted, the WAL would hold every page written: well over the 120 MB of rows.
  t.ok(largestWal < 40_000_000, `the WAL stayed near its bound: ${largestWal} bytes at most, for ${batches()} batches of about 110 KB`)
  t.equal(await readBack(), 1, 'the rows read back')
})

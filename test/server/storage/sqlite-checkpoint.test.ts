import { statSync } from 'node:fs'
import t from 'tap'
import { createTestStore } from '../../helpers/backends.js'
import { validateBatch } from '../../../server/dist/ingest/validate.js'

// The checkpointer thread copies the WAL into the database file while the receiver runs, and the
// writer then reuses the WAL rather than growing it by every page ever written.

const size = (path: string): number => { try { return statSync(path).size } catch { return 0 } }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until (what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

t.test('the WAL is checkpointed into the database file and then reused', async (t) => {
  const { store, backend, destroy } = await createTestStore('sqlite')
  t.teardown(destroy)
  const file = backend.databaseUrl.replace(/^sqlite:/, '')
  const project = await store.projects.create({ name: 'ckpt', key: 'ckpt_key', secret: 's'.repeat(32), retention_hours: 24 }, Date.now())
  const filler = 'x'.repeat(1000)
  let n = 0
  /** `batches` batches of 100 events of about 1 KB. */
  const write = async (batches: number): Promise<void> => {
    for (let b = 0; b < batches; b++) {
      const now = Date.now()
      const body = { events: Array.from({ length: 100 }, (_, i) => ({ ts: new Date(now + i).toISOString(), level: 'info', message: `event ${n} ${i}`, context: { filler } })) }
      await store.logs.insertBatch(project.id, `b${n++}`, validateBatch(body, now).events, now)
    }
  }

  await write(20)
  await until('the rows to reach the database file', () => size(file) > 2_000_000)
  const wal = size(`${file}-wal`)
  t.pass(`the first 2 000 events reached the database file (${size(file)} bytes; WAL ${wal} bytes)`)

  // Each small round starts once the WAL is wholly copied (no writes for over a tick): its first
  // commit starts the WAL again from the top, inside the file the first round grew. Never
  // checkpointed, or never restarted, each round would lengthen the file.
  for (let round = 1; round <= 3; round++) {
    await sleep(1500)
    await write(2)
    t.equal(size(`${file}-wal`), wal, `after small round ${round} the WAL file is still ${wal} bytes`)
  }
  await until('every round to reach the database file', () => size(file) > 2_500_000)
  t.equal((await store.logs.search({ projectId: project.id, limit: 1 })).events.length, 1, 'the rows read back')
})

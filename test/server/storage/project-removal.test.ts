import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'
import { rawSql as sql } from '../../helpers/raw-sql.js'
import { startReceiver } from '../../helpers/receiver.js'
import { event } from './store-behaviour.js'

// Removing a project deletes its rows a slice (5 000) at a time, after the project row itself,
// so its key stops working first. A removal that a crash cut short (or a batch stored while it
// ran) leaves rows without a project; maintenance finishes the job.

const T0 = Date.parse('2026-11-27T20:00:00.000Z')
const HOUR = 3_600_000
const TABLES = ['logs', 'batches', 'log_minutes', 'log_fingerprint_hours', 'log_text_buckets', 'log_text_minutes']

async function rowsOf (url: string, projectId: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of TABLES) out[table] = Number((await sql(url, `SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ${projectId}`))[0]?.n)
  return out
}

const none = Object.fromEntries(TABLES.map((table) => [table, 0]))

for (const kind of backends()) {
  t.test(`${kind}: removal in slices, and leftovers finished later`, async (t) => {
    const { store, backend, destroy } = await createTestStore(kind)
    t.teardown(destroy)
    const url = backend.databaseUrl
    const create = (name: string) => store.projects.create({ name, key: `key-${name}`, secret: `secret-${name}`, retention_hours: 48 }, T0)
    const fill = async (projectId: number, batches: number, size: number): Promise<void> => {
      for (let b = 0; b < batches; b++) {
        await store.logs.insertBatch(projectId, `batch-${b}`, Array.from({ length: size }, (_, i) =>
          event({ message: `m${b}-${i}`, fingerprint: `fp${i % 300}`, ts: T0 + b * HOUR + i })), T0 + 10 * HOUR)
      }
    }
    const [big, other, crashed] = [await create('big'), await create('other'), await create('crashed')]
    await fill(big.id, 6, 2000) // 12 000 events: three slices of logs
    await fill(other.id, 2, 100)
    await fill(crashed.id, 2, 100)
    const otherBefore = await rowsOf(url, other.id)

    t.equal(await store.projects.remove(big.id), true)
    t.same(await rowsOf(url, big.id), none, 'every row of the removed project is gone')
    t.equal(await store.projects.findByKey('key-big', T0), null, 'its key no longer works')
    t.equal(await store.projects.remove(big.id), false, 'removing twice')
    t.same(await rowsOf(url, other.id), otherBefore, 'the other project is untouched')

    // A crash right after the project row was deleted: the rows stay behind.
    await sql(url, `DELETE FROM projects WHERE id = ${crashed.id}`)
    t.ok(((await rowsOf(url, crashed.id)).logs ?? 0) > 0, 'the crashed project\'s rows are still there')
    t.same(await store.projects.removeLeftovers(), [crashed.id])
    t.same(await rowsOf(url, crashed.id), none, 'the leftovers are gone')
    t.same(await rowsOf(url, other.id), otherBefore, 'a live project is never a leftover')
    t.same(await store.projects.removeLeftovers(), [], 'nothing left')
  })

  t.test(`${kind}: maintenance finishes a removal cut short`, async (t) => {
    const r = await startReceiver({ backend: kind })
    t.teardown(() => r.close())
    t.equal((await r.send({ events: [{ message: 'one' }, { message: 'two' }] })).status, 202)
    await sql(r.databaseUrl, `DELETE FROM projects WHERE id = ${r.projectId}`)
    t.equal((await r.admin('POST', '/admin/purge')).status, 200)
    t.same(await rowsOf(r.databaseUrl, r.projectId), none)
  })
}

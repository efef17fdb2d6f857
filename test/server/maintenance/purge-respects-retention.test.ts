import t from 'tap'
import { backends } from '../../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../../helpers/receiver.js'

const HOUR = 3_600_000

// Ingest itself may start a run (traffic-triggered maintenance) that races the admin call, so
// the tests add up what every recorded run removed.
const PURGED = ['logs_purged', 'batches_purged', 'counters_purged'] as const
type Totals = Record<'runs' | typeof PURGED[number], number>

async function totals (r: RunningReceiver): Promise<Totals> {
  const { runs } = await (await r.admin('GET', '/admin/maintenance')).json() as { runs: Array<Record<string, number>> }
  const sum: Totals = { runs: runs.length, logs_purged: 0, batches_purged: 0, counters_purged: 0 }
  for (const key of PURGED) sum[key] = runs.reduce((n, run) => n + Number(run[key]), 0)
  return sum
}

for (const backend of backends()) {
  t.test(`${backend}: purge removes exactly what is past each project's retention`, async (t) => {
    const now = Date.now()
    // A batch size of 7 makes the purge loop through many bounded deletes.
    const r = await startReceiver({ backend, now: () => now, maintenanceBatchSize: 7 })
    t.teardown(() => r.close())
    const short = await (await r.admin('POST', '/admin/projects', { name: 'short', retention_hours: 24 })).json() as { id: number, key: string, secret: string }

    const events = (prefix: string, hoursAgo: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ message: `${prefix}-${i}`, ts: now - hoursAgo * HOUR + i }))
    // Default retention is 48 h: 40 old, 30 fresh (including one a millisecond inside the edge).
    t.equal((await r.send({ events: [...events('old', 49, 40), ...events('fresh', 47, 29), { message: 'edge', ts: now - 48 * HOUR }] })).status, 202)
    t.equal((await r.send({ events: [...events('old', 25, 15), ...events('fresh', 23, 10)] }, { key: short.key, secret: short.secret })).status, 202)

    const res = await r.admin('POST', '/admin/purge')
    t.equal(res.status, 200)
    const report = await res.json() as Record<string, unknown>
    t.equal(report.ran, true)
    t.equal(report.ok, true)
    t.equal((await totals(r)).logs_purged, 55)

    const left = await r.fetchEvents()
    t.equal(left.length, 40)
    t.ok(left.every((e) => !String(e.message).startsWith('old')), 'every old event is gone')
    t.ok(left.some((e) => e.message === 'edge'), 'an event exactly at the cut-off is kept')
    t.equal(left.filter((e) => e.project_id === short.id).length, 10)

    const again = await (await r.admin('POST', '/admin/purge')).json() as Record<string, unknown>
    t.equal(again.logs_purged, 0, 'a second purge finds nothing more')
    t.equal((await totals(r)).logs_purged, 55)
  })

  t.test(`${backend}: expired batch ids and rate counters go too`, async (t) => {
    let now = Date.now()
    const r = await startReceiver({ backend, now: () => now })
    t.teardown(() => r.close())
    t.equal((await r.send({ batch_id: 'kept-for-retention', events: [{ message: 'x' }] })).status, 202)
    now += 3 * HOUR
    t.equal((await r.admin('POST', '/admin/maintain')).status, 200)
    let sum = await totals(r)
    t.ok(sum.counters_purged >= 1, 'counters older than two hours are dropped')
    t.equal(sum.batches_purged, 0, 'batch ids within retention stay')
    t.equal(sum.logs_purged, 0)
    now += 46 * HOUR
    t.equal((await r.admin('POST', '/admin/maintain')).status, 200)
    sum = await totals(r)
    t.equal(sum.batches_purged, 1, 'batch ids past retention are dropped')
    t.equal(sum.logs_purged, 1)
  })
}

for (const backend of backends()) {
  t.test(`${backend}: a run that fails half-way still reports what it removed`, async (t) => {
    const now = Date.now()
    const r = await startReceiver({ backend, now: () => now, maintenanceBatchSize: 5 })
    t.teardown(() => r.close())
    // Settle the traffic-triggered run the first ingest starts, then break the purge after one batch.
    t.equal((await r.admin('POST', '/admin/maintain')).status, 200)
    const events = Array.from({ length: 12 }, (_, i) => ({ message: `old-${i}`, ts: now - 49 * HOUR + i }))
    const real = r.store.maintenance.purgeLogs.bind(r.store.maintenance)
    let calls = 0
    r.store.maintenance.purgeLogs = async (...args) => {
      if (++calls > 1) throw new Error('connection lost mid-purge')
      return real(...args)
    }
    t.equal((await r.send({ events })).status, 202)
    const report = await (await r.admin('POST', '/admin/purge')).json() as Record<string, unknown>
    t.equal(report.ok, false)
    t.match(String(report.error), /connection lost mid-purge/)
    t.equal(report.logs_purged, 5, 'the first batch of five is counted')
    t.equal((await r.fetchEvents()).length, 7)
  })
}

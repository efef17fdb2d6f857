import t from 'tap'
import { backends } from '../../helpers/backends.js'
import { startReceiver } from '../../helpers/receiver.js'

const HOUR = 3_600_000

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
    t.equal(report.logs_purged, 55)
    t.equal(report.ok, true)

    const left = await r.fetchEvents()
    t.equal(left.length, 40)
    t.ok(left.every((e) => !String(e.message).startsWith('old')), 'every old event is gone')
    t.ok(left.some((e) => e.message === 'edge'), 'an event exactly at the cut-off is kept')
    t.equal(left.filter((e) => e.project_id === short.id).length, 10)

    const again = await (await r.admin('POST', '/admin/purge')).json() as Record<string, unknown>
    t.equal(again.logs_purged, 0, 'a second purge finds nothing more')
  })

  t.test(`${backend}: expired batch ids and rate counters go too`, async (t) => {
    let now = Date.now()
    const r = await startReceiver({ backend, now: () => now })
    t.teardown(() => r.close())
    t.equal((await r.send({ batch_id: 'kept-for-retention', events: [{ message: 'x' }] })).status, 202)
    now += 3 * HOUR
    let report = await (await r.admin('POST', '/admin/maintain')).json() as Record<string, number>
    t.ok(report.counters_purged >= 1, 'counters older than two hours are dropped')
    t.equal(report.batches_purged, 0, 'batch ids within retention stay')
    now += 46 * HOUR
    report = await (await r.admin('POST', '/admin/maintain')).json() as Record<string, number>
    t.equal(report.batches_purged, 1, 'batch ids past retention are dropped')
    t.equal(report.logs_purged, 1)
  })
}

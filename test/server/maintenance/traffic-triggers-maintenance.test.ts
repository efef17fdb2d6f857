import t from 'tap'
import { backends } from '../../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../../helpers/receiver.js'

const MINUTE = 60_000

async function runs (r: RunningReceiver): Promise<Array<Record<string, unknown>>> {
  return (await (await r.admin('GET', '/admin/maintenance')).json() as { runs: Array<Record<string, unknown>> }).runs
}

/** Maintenance runs after the reply; wait for it (bounded) instead of sleeping a fixed time. */
async function waitForRuns (r: RunningReceiver, count: number): Promise<Array<Record<string, unknown>>> {
  for (let i = 0; i < 200; i++) {
    const list = await runs(r)
    if (list.length >= count) return list
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return runs(r)
}

for (const backend of backends()) {
  t.test(`${backend}: ingest starts maintenance once the last run is old enough`, async (t) => {
    let now = Date.now()
    const r = await startReceiver({ backend, now: () => now })
    t.teardown(() => r.close())
    t.equal((await r.send({ events: [{ message: 'first' }] })).status, 202)
    let list = await waitForRuns(r, 1)
    t.equal(list.length, 1, 'the first ingest finds no previous run and starts one')
    t.equal(list[0]?.trigger, 'traffic')

    now += MINUTE
    t.equal((await r.send({ events: [{ message: 'soon after' }] })).status, 202)
    await new Promise((resolve) => setTimeout(resolve, 100))
    t.equal((await runs(r)).length, 1, 'one minute later nothing runs')

    now += 5 * MINUTE
    t.equal((await r.send({ events: [{ message: 'later' }] })).status, 202)
    list = await waitForRuns(r, 2)
    t.equal(list.length, 2, 'past the five-minute interval the next ingest starts a run')
  })

  t.test(`${backend}: a failing maintenance run never affects ingestion`, async (t) => {
    const r = await startReceiver({ backend })
    t.teardown(() => r.close())
    // Fault injection on the real store: the purge step fails, everything else is real.
    r.store.maintenance.purgeLogs = async () => { throw new Error('disk on fire') }
    t.equal((await r.send({ events: [{ message: 'still stored' }] })).status, 202)
    const list = await waitForRuns(r, 1)
    t.equal(list[0]?.ok, false)
    t.match(String(list[0]?.error), /disk on fire/)
    t.equal((await r.send({ events: [{ message: 'and again' }] })).status, 202)
    t.equal((await r.fetchEvents()).length, 2)
    const metrics = await (await fetch(`${r.url}/metrics`)).text()
    t.match(metrics, /tekno_maintenance_runs_total\{result="error"\} 1/)
  })
}

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { backends } from '../helpers/backends.js'
import { startReceiver } from '../helpers/receiver.js'

// Two receivers on one database, as behind a load balancer: all shared state is in the database.

const appModule = fileURLToPath(new URL('../../server/dist/app.js', import.meta.url))
const batch = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ message: `e${i}` })) })

for (const backend of backends()) {
  t.test(`${backend}: the project limit is shared by every receiver`, async (t) => {
    const clock = Date.now()
    const a = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' } })
    const b = await startReceiver({ join: a, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' } })
    t.teardown(async () => { await b.close(); await a.close() })
    await a.admin('PATCH', `/admin/projects/${a.projectId}`, { rate_limit_events_per_minute: 1000 })

    // 20 batches of 100 at once, alternating receivers: exactly 10 fit.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).send(batch(100))))
    const statuses = answers.map((r) => r.status)
    t.equal(statuses.filter((s) => s === 202).length, 10, 'ten batches fit the limit')
    t.equal(statuses.filter((s) => s === 429).length, 10, 'the rest are refused')
    t.equal((await a.fetchEvents()).length, 1000)
  })

  t.test(`${backend}: maintenance runs once under concurrent triggers`, async (t) => {
    const a = await startReceiver({ backend })
    const b = await startReceiver({ join: a })
    t.teardown(async () => { await b.close(); await a.close() })
    // Both receivers see traffic at the same moment; each pokes its maintainer.
    await Promise.all([a.send(batch(1)), b.send(batch(1)), a.send(batch(1)), b.send(batch(1))])
    let runs: unknown[] = []
    for (let i = 0; i < 100 && runs.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      runs = (await (await a.admin('GET', '/admin/maintenance')).json() as { runs: unknown[] }).runs
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    runs = (await (await b.admin('GET', '/admin/maintenance')).json() as { runs: unknown[] }).runs
    t.equal(runs.length, 1, 'exactly one run across both receivers')
  })

  t.test(`${backend}: a lease left by a killed receiver expires`, async (t) => {
    let now = Date.now()
    const a = await startReceiver({ backend, now: () => now })
    t.teardown(() => a.close())

    // A real process takes the lease for 60 s and is killed without releasing it.
    const script = `
      const { openStore } = await import(${JSON.stringify(appModule)})
      const store = openStore(process.env.URL)
      await store.maintenance.tryAcquire('doomed-instance', Date.now(), 60000, null)
      process.stdout.write('held\\n')
      setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: a.databaseUrl }, stdio: ['ignore', 'pipe', 'inherit'] })
    // Whichever comes first: the child says it holds the lease, or it dies trying.
    const first = await Promise.race([
      once(child.stdout, 'data').then(([chunk]) => String(chunk).trim()),
      once(child, 'exit').then(([code]) => `exited with ${String(code)}`)
    ])
    t.equal(first, 'held')
    if (child.exitCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }

    const blocked = await (await a.admin('POST', '/admin/maintain')).json() as Record<string, unknown>
    t.equal(blocked.ran, false, 'the dead holder still has the lease')
    t.equal(blocked.reason, 'lease_held')
    t.equal(blocked.holder, 'doomed-instance')

    now = Date.now() + 61_000
    const ran = await (await a.admin('POST', '/admin/maintain')).json() as Record<string, unknown>
    t.equal(ran.ran, true, `after the expiry another receiver takes over: ${JSON.stringify(ran)}`)
  })
}

import t from 'tap'
import { backends } from '../helpers/backends.js'
import { startReceiver } from '../helpers/receiver.js'

const batch = (n: number, batchId?: string) => ({
  ...(batchId === undefined ? {} : { batch_id: batchId }),
  events: Array.from({ length: n }, (_, i) => ({ message: `e${i}` }))
})

for (const backend of backends()) {
  t.test(`${backend}: project limit counts events over a sliding minute`, async (t) => {
    let clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' } })
    t.teardown(() => r.close())
    t.equal((await r.admin('PATCH', `/admin/projects/${r.projectId}`, { rate_limit_events_per_minute: 500 })).status, 200)

    t.equal((await r.send(batch(200, 'a'))).status, 202)
    clock += 20_000
    t.equal((await r.send(batch(200, 'b'))).status, 202)
    const refused = await r.send(batch(200, 'c'))
    t.equal(refused.status, 429, 'a batch that would go over is refused whole')
    const body = await refused.json() as Record<string, unknown>
    t.equal(body.code, 'TEKNO_ERR_RATE_LIMITED')
    t.equal(body.scope, 'project')
    t.equal(body.retry_after, 40, 'until the first batch leaves the window')
    t.equal(refused.headers.get('retry-after'), '40')
    t.equal(refused.headers.get('ratelimit-limit'), '500')
    t.equal(refused.headers.get('ratelimit-remaining'), '100')
    t.equal((await r.fetchEvents()).length, 400, 'nothing of the refused batch was stored')

    const again = await r.send(batch(200, 'a'))
    t.equal(again.status, 202, 'a repeated batch id is acknowledged even when the limit is full')
    t.same(await again.json(), { accepted: 200, duplicate: true })

    clock += 40_000
    t.equal((await r.send(batch(200, 'c'))).status, 202, 'room again once the oldest batch slid out')
    t.equal((await r.fetchEvents()).length, 600)
  })

  t.test(`${backend}: a duplicate counts against no limit`, async (t) => {
    const clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' } })
    t.teardown(() => r.close())
    await r.admin('PATCH', `/admin/projects/${r.projectId}`, { rate_limit_events_per_minute: 300 })
    t.equal((await r.send(batch(150, 'x'))).status, 202)
    for (let i = 0; i < 5; i++) t.equal((await r.send(batch(150, 'x'))).status, 202, `retry ${i}`)
    t.equal((await r.send(batch(150, 'y'))).status, 202, 'the retries did not use up the limit')
    t.equal((await r.send(batch(1, 'z'))).status, 429)
  })

  t.test(`${backend}: IP limit counts requests, 0 is unlimited, projects can override`, async (t) => {
    const clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '3', RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '0' } })
    t.teardown(() => r.close())
    for (let i = 0; i < 3; i++) t.equal((await r.send(batch(1))).status, 202)
    const refused = await r.send(batch(1))
    t.equal(refused.status, 429)
    t.equal((await refused.json() as { scope: string }).scope, 'ip')

    t.equal((await r.admin('PATCH', `/admin/projects/${r.projectId}`, { rate_limit_ip_requests_per_minute: 0 })).status, 200)
    for (let i = 0; i < 10; i++) t.equal((await r.send(batch(1))).status, 202, 'unlimited for this project')
  })

  t.test(`${backend}: an IP over its limit hears 429 whatever else is wrong with its request`, async (t) => {
    const clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '2', RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '0' } })
    t.teardown(() => r.close())
    t.equal((await r.send(batch(1))).status, 202)
    t.equal((await r.send(batch(1), { secret: 'not-the-secret' })).status, 401, 'a bad signature within the limit is refused as such, and counts')
    const refusals = [
      ['a bad signature', await r.send(batch(1), { secret: 'not-the-secret' })],
      ['malformed JSON', await r.send('{"events": [')],
      ['an invalid event', await r.send({ events: [{ level: 'loud' }] })],
      ['a good batch', await r.send(batch(1))]
    ] as const
    for (const [what, res] of refusals) {
      t.equal(res.status, 429, what)
      t.equal((await res.json() as { scope: string }).scope, 'ip', what)
    }
    t.equal((await r.fetchEvents()).length, 1, 'nothing refused was stored')
  })

  t.test(`${backend}: X-Forwarded-For is ignored unless TRUST_PROXY is set`, async (t) => {
    const clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '1' } })
    t.teardown(() => r.close())
    const { signedHeaders } = await import('../helpers/sign.js')
    const send = (ip: string) => {
      const body = JSON.stringify(batch(1))
      return fetch(`${r.url}/api/log`, { method: 'POST', headers: { ...signedHeaders(r.key, r.secret, body), 'x-forwarded-for': ip }, body })
    }
    t.equal((await send('10.0.0.1')).status, 202)
    t.equal((await send('10.0.0.2')).status, 429, 'a client cannot pick its own IP')
  })
}

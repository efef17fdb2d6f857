import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'

t.test('GET /config serves the project client defaults, cacheable for 5 minutes', async (t) => {
  const r = await startReceiver()
  t.teardown(() => r.close())

  t.equal((await fetch(`${r.url}/config`)).status, 401, 'a key is required')
  t.equal((await fetch(`${r.url}/config`, { headers: { 'x-tekno-key': 'tkp_unknown' } })).status, 401)

  const res = await fetch(`${r.url}/config`, { headers: { 'x-tekno-key': r.key } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('cache-control'), 'private, max-age=300')
  t.match(res.headers.get('vary') ?? '', /x-tekno-key/i)
  const etag = res.headers.get('etag')
  t.match(etag, /^".+"$/)
  const body = await res.json() as Record<string, any>
  t.equal(body.project_id, r.projectId)
  t.equal(body.min_level, 'trace')
  t.same(body.sample_rates, { trace: 1, debug: 1, info: 1, warn: 1, error: 1, fatal: 1 })
  t.same(body.batch, { max_events: 200, max_bytes: 307200, flush_interval_ms: 1000 })
  t.equal(body.limits.max_events_per_batch, 250)

  const cached = await fetch(`${r.url}/config`, { headers: { 'x-tekno-key': r.key, 'if-none-match': etag as string } })
  t.equal(cached.status, 304, 'an unchanged config answers 304')

  const patched = await r.admin('PATCH', `/admin/projects/${r.projectId}`, { client_config: { min_level: 'warn', sample_rates: { debug: 0.1 } } })
  t.equal(patched.status, 200)
  t.same((await patched.json() as Record<string, unknown>).client_config, { min_level: 'warn', sample_rates: { debug: 0.1 } })
  const changed = await fetch(`${r.url}/config`, { headers: { 'x-tekno-key': r.key, 'if-none-match': etag as string } })
  t.equal(changed.status, 200, 'a changed config gets a new etag')
  const next = await changed.json() as Record<string, any>
  t.equal(next.min_level, 'warn')
  t.equal(next.sample_rates.debug, 0.1)

  const bad = await r.admin('PATCH', `/admin/projects/${r.projectId}`, { client_config: { min_level: 'loud' } })
  t.equal(bad.status, 400)
  t.equal((await bad.json() as { field: string }).field, 'client_config.min_level')
})

import t from 'tap'
import { backends } from '../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'
import { signedHeaders } from '../helpers/sign.js'

// The admin project routes over real HTTP on each backend. The clock is injected so the
// rotation grace period can be passed without sleeping.

const HOUR = 3_600_000

async function json (res: Response): Promise<{ status: number, body: any, text: string }> {
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text), text }
}

for (const backend of backends()) {
  t.test(backend, async (t) => {
    let clock = Date.now()
    const r = await startReceiver({ backend, now: () => clock })
    t.teardown(() => r.close())
    const admin = async (method: string, path: string, body?: unknown) => json(await r.admin(method, path, body))
    /** POST /api/log signed against the injected clock, not the wall clock. */
    const ingest = async (key: string, secret: string, body: unknown) => {
      const raw = JSON.stringify(body)
      return json(await fetch(`${r.url}/api/log`, {
        method: 'POST', body: raw, headers: signedHeaders(key, secret, raw, { timestamp: Math.floor(clock / 1000) })
      }))
    }

    t.test('401 without the admin token, on every route', async (t) => {
      const routes: Array<[string, string]> = [
        ['POST', '/admin/projects'], ['GET', '/admin/projects'], ['GET', `/admin/projects/${r.projectId}`],
        ['PATCH', `/admin/projects/${r.projectId}`], ['DELETE', `/admin/projects/${r.projectId}`],
        ['POST', `/admin/projects/${r.projectId}/rotate-secret`]
      ]
      for (const [method, path] of routes) {
        for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token-wrong-token' }] as Array<Record<string, string>>) {
          const withBody = method === 'POST' || method === 'PATCH'
          const res = await json(await fetch(`${r.url}${path}`, {
            method,
            headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
            body: withBody ? '{"name":"x"}' : null
          }))
          t.equal(res.status, 401, `${method} ${path}`)
          t.equal(res.body.code, 'TEKNO_ERR_UNAUTHORIZED')
        }
      }
      t.equal((await admin('GET', `/admin/projects/${r.projectId}`)).status, 200, 'the project is still there')
    })

    t.test('create answers 201 with the secret; list and get never show it', async (t) => {
      const created = await admin('POST', '/admin/projects', { name: 'Checkout', retention_hours: 24, rate_limit_events_per_minute: 1000 })
      t.equal(created.status, 201)
      const p = created.body
      t.match(p, { name: 'Checkout', retention_hours: 24, rate_limit_events_per_minute: 1000 })
      t.type(p.id, 'number')
      t.match(p.key, /^\S{16,}$/)
      t.match(p.secret, /^\S{32,}$/)
      t.type(p.created_at, 'string')

      const defaults = (await admin('POST', '/admin/projects', { name: 'Defaults' })).body
      t.equal(defaults.retention_hours, 48, 'RETENTION_HOURS is the default')
      t.equal(defaults.rate_limit_events_per_minute, null, 'null = the server default')
      t.not(defaults.key, p.key)
      t.not(defaults.secret, p.secret)

      const list = await admin('GET', '/admin/projects')
      t.equal(list.status, 200)
      t.ok(Array.isArray(list.body.projects))
      t.ok(list.body.projects.some((x: { id: number }) => x.id === p.id))
      const got = await admin('GET', `/admin/projects/${p.id}`)
      t.equal(got.status, 200)
      t.same(got.body, list.body.projects.find((x: { id: number }) => x.id === p.id))
      t.match(got.body, { id: p.id, name: 'Checkout', key: p.key, retention_hours: 24 })
      for (const [name, res] of [['list', list], ['get', got]] as const) {
        t.notOk(res.text.includes(p.secret), `${name}: the secret never appears`)
        t.notOk(res.text.includes(defaults.secret), `${name}: no other secret either`)
        t.notOk(/"(previous_)?secret"/.test(res.text), `${name}: no secret field`)
      }
      t.equal((await ingest(p.key, p.secret, { events: [{ message: 'hello' }] })).status, 202, 'the shown secret signs')
    })

    t.test('PATCH changes the fields it is given', async (t) => {
      const p = (await admin('POST', '/admin/projects', { name: 'Before' })).body
      const patched = await admin('PATCH', `/admin/projects/${p.id}`, { name: 'After', retention_hours: 72, rate_limit_events_per_minute: 0 })
      t.equal(patched.status, 200)
      t.match(patched.body, { id: p.id, name: 'After', retention_hours: 72, rate_limit_events_per_minute: 0, key: p.key })
      t.notOk('secret' in patched.body)
      const again = await admin('PATCH', `/admin/projects/${p.id}`, { rate_limit_events_per_minute: null })
      t.match(again.body, { name: 'After', retention_hours: 72, rate_limit_events_per_minute: null }, 'untouched fields stay')
      t.match((await admin('GET', `/admin/projects/${p.id}`)).body, { name: 'After', retention_hours: 72 })
    })

    t.test('400 with the field for bad input', async (t) => {
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', '/admin/projects', {}, 'name'],
        ['POST', '/admin/projects', { name: '' }, 'name'],
        ['POST', '/admin/projects', { name: '   ' }, 'name'],
        ['POST', '/admin/projects', { name: 42 }, 'name'],
        ['POST', '/admin/projects', { name: 'x'.repeat(201) }, 'name'],
        ['POST', '/admin/projects', { name: 'ok', retention_hours: 23 }, 'retention_hours'],
        ['POST', '/admin/projects', { name: 'ok', retention_hours: 73 }, 'retention_hours'],
        ['POST', '/admin/projects', { name: 'ok', retention_hours: '48' }, 'retention_hours'],
        ['POST', '/admin/projects', { name: 'ok', rate_limit_events_per_minute: -1 }, 'rate_limit_events_per_minute'],
        ['PATCH', `/admin/projects/${r.projectId}`, { retention_hours: 100 }, 'retention_hours'],
        ['PATCH', `/admin/projects/${r.projectId}`, { name: '' }, 'name'],
        ['PATCH', `/admin/projects/${r.projectId}`, { secret: 'mine' }, 'secret'],
        ['PATCH', `/admin/projects/${r.projectId}`, { key: 'mine' }, 'key'],
        ['POST', `/admin/projects/${r.projectId}/rotate-secret`, { grace_hours: -1 }, 'grace_hours']
      ]
      for (const [method, path, body, field] of cases) {
        const res = await admin(method, path, body)
        t.equal(res.status, 400, `${method} ${JSON.stringify(body)}`)
        t.match(res.body, { code: 'TEKNO_ERR_VALIDATION', field, message: String }, `${method} ${JSON.stringify(body)} names ${field}`)
      }
      const bad = await json(await fetch(`${r.url}/admin/projects`, {
        method: 'POST', body: '{"name": ', headers: { authorization: `Bearer ${r.adminToken}`, 'content-type': 'application/json' }
      }))
      t.equal(bad.status, 400, 'malformed JSON')
      t.equal(bad.body.code, 'TEKNO_ERR_BAD_JSON')
      t.match((await admin('GET', `/admin/projects/${r.projectId}`)).body, { name: 'test', retention_hours: 48 }, 'nothing changed')
    })

    t.test('404 for unknown ids', async (t) => {
      for (const id of ['999999', 'abc', '-1', '1.5']) {
        for (const [method, path, body] of [
          ['GET', `/admin/projects/${id}`, undefined], ['PATCH', `/admin/projects/${id}`, { name: 'x' }],
          ['DELETE', `/admin/projects/${id}`, undefined], ['POST', `/admin/projects/${id}/rotate-secret`, {}]
        ] as const) {
          const res = await admin(method, path, body)
          t.equal(res.status, 404, `${method} ${path}`)
          t.equal(res.body.code, 'TEKNO_ERR_NOT_FOUND')
        }
      }
    })

    t.test('rotate-secret: the new secret works at once, the old one until the grace ends', async (t) => {
      const p = (await admin('POST', '/admin/projects', { name: 'Rotating' })).body
      const rotated = await admin('POST', `/admin/projects/${p.id}/rotate-secret`, { grace_hours: 2 })
      t.equal(rotated.status, 200)
      t.match(rotated.body, { id: p.id, key: p.key, name: 'Rotating' })
      t.match(rotated.body.secret, /^\S{32,}$/)
      t.not(rotated.body.secret, p.secret)
      t.equal(rotated.body.previous_secret_valid_until, new Date(clock + 2 * HOUR).toISOString())
      t.notOk((await admin('GET', `/admin/projects/${p.id}`)).text.includes(rotated.body.secret), 'get does not show the new secret')

      t.equal((await ingest(p.key, rotated.body.secret, { events: [{ message: 'new secret' }] })).status, 202, 'new secret at once')
      t.equal((await ingest(p.key, p.secret, { events: [{ message: 'old secret' }] })).status, 202, 'old secret during the grace')
      clock += 2 * HOUR - 1000
      t.equal((await ingest(p.key, p.secret, { events: [{ message: 'old secret, late' }] })).status, 202, 'old secret just before the end')

      clock += 1000
      const refused = await ingest(p.key, p.secret, { events: [{ message: 'old secret, too late' }] })
      t.equal(refused.status, 401, 'old secret after the grace')
      t.equal(refused.body.code, 'TEKNO_ERR_BAD_SIGNATURE')
      t.equal((await ingest(p.key, rotated.body.secret, { events: [{ message: 'new secret, later' }] })).status, 202)

      const stored = await r.fetchEvents({ project_id: String(p.id) })
      t.same(stored.map((e) => e.message).sort(), ['new secret', 'new secret, later', 'old secret', 'old secret, late'])

      // Default grace is generous (hours, not seconds), and a second rotation drops the first secret.
      const second = (await admin('POST', `/admin/projects/${p.id}/rotate-secret`)).body
      t.ok(Date.parse(second.previous_secret_valid_until) - clock >= HOUR, 'the default grace is at least an hour')
      t.equal((await ingest(p.key, rotated.body.secret, { events: [{ message: 'x' }] })).status, 202, 'the one before still verifies')
      t.equal((await ingest(p.key, p.secret, { events: [{ message: 'x' }] })).status, 401, 'the first never comes back')
    })

    t.test('DELETE removes the project and its events', async (t) => {
      const p = (await admin('POST', '/admin/projects', { name: 'Doomed' })).body
      t.equal((await ingest(p.key, p.secret, { batch_id: 'd1', events: [{ message: 'doomed 1' }, { message: 'doomed 2' }] })).status, 202)
      t.equal((await ingest(r.key, r.secret, { events: [{ message: 'survivor' }] })).status, 202)
      t.equal((await r.fetchEvents({ project_id: String(p.id) })).length, 2)

      const deleted = await admin('DELETE', `/admin/projects/${p.id}`)
      t.equal(deleted.status, 200)
      t.match(deleted.body, { id: p.id, deleted: true })
      t.equal((await admin('GET', `/admin/projects/${p.id}`)).status, 404)
      t.equal((await admin('DELETE', `/admin/projects/${p.id}`)).status, 404, 'deleting twice')
      t.notOk((await admin('GET', '/admin/projects')).body.projects.some((x: { id: number }) => x.id === p.id))
      t.same(await r.fetchEvents({ project_id: String(p.id) }), [], 'its events are gone')
      t.notOk((await r.fetchEvents({ q: 'doomed' })).length, 'from every search')
      t.ok((await r.fetchEvents({ q: 'survivor' })).length === 1, 'other projects keep theirs')
      const after = await ingest(p.key, p.secret, { events: [{ message: 'ghost' }] })
      t.equal(after.status, 401, 'its key stops working')
      t.equal(after.body.code, 'TEKNO_ERR_UNKNOWN_KEY')
    })
  })
}

import t, { type Test } from 'tap'
import { backends } from '../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'

// GET /api/log over real HTTP on each backend: the admin token, every filter, cursor paging and
// the limit cap. Events go in through POST /api/log, as a client would send them.

const T0 = Date.parse('2026-11-27T22:00:00.000Z')

/** `auth` null sends no Authorization header at all. */
async function get (r: RunningReceiver, query: Record<string, string>, auth: string | null = `Bearer ${r.adminToken}`): Promise<{ status: number, json: any }> {
  const res = await fetch(`${r.url}/api/log?${new URLSearchParams(query).toString()}`, auth === null ? {} : { headers: { authorization: auth } })
  return { status: res.status, json: await res.json() }
}

async function sendOk (t: Test, r: RunningReceiver, body: unknown): Promise<void> {
  const res = await r.send(body)
  t.equal(res.status, 202, `batch stored: ${res.status === 202 ? '' : await res.text()}`)
}


for (const backend of backends()) {
  t.test(backend, async (t) => {
    const r = await startReceiver({ backend })
    t.teardown(() => r.close())

    t.test('401 without the admin token or with a wrong one', async (t) => {
      const cases: Array<[string, string | null]> = [
        ['no header', null],
        ['wrong token', 'Bearer not-the-admin-token-but-long-enough-000000'],
        ['token with one character changed', `Bearer ${r.adminToken.slice(0, -1)}X`],
        ['token prefix', `Bearer ${r.adminToken.slice(0, 10)}`],
        ['no Bearer scheme', r.adminToken],
        ['Basic scheme', `Basic ${Buffer.from(`admin:${r.adminToken}`).toString('base64')}`],
        ['empty bearer', 'Bearer ']
      ]
      for (const [name, auth] of cases) {
        const res = await get(r, {}, auth)
        t.equal(res.status, 401, name)
        t.equal(res.json.code, 'TEKNO_ERR_UNAUTHORIZED', name)
        t.notOk('events' in res.json, `${name}: no events leak`)
      }
      t.equal((await get(r, {}, `bearer ${r.adminToken}`)).status, 200, 'the scheme is case-insensitive')
    })

    t.test('events carry the pinned fields', async (t) => {
      await sendOk(t, r, { events: [{ ts: T0, level: 'warn', message: 'shape check', source: 'api', stack: 'S', context: { userId: 7 } }] })
      const res = await get(r, { q: 'shape check' })
      t.equal(res.status, 200)
      t.equal(res.json.next_cursor, null)
      const [e] = res.json.events
      t.same(Object.keys(e).sort(), ['context', 'fingerprint', 'id', 'level', 'message', 'project_id', 'source', 'stack', 'ts'])
      t.match(e, { project_id: r.projectId, ts: '2026-11-27T22:00:00.000Z', level: 'warn', message: 'shape check', source: 'api', stack: 'S', context: { userId: 7 } })
      t.match(e.fingerprint, /^[0-9a-f]{40}$/)
    })

    t.test('filters', async (t) => {
      // A second project, so project_id has something to exclude.
      const created = await r.admin('POST', '/admin/projects', { name: 'second' })
      const second = await created.json() as { id: number, key: string, secret: string }
      const res = await r.send({ events: [{ ts: T0 + 50, level: 'error', message: 'from the second project', source: 'api' }] }, second)
      t.equal(res.status, 202)

      await sendOk(t, r, {
        events: [
          { ts: T0 + 10, level: 'trace', message: 'f-trace', source: 'worker' },
          { ts: T0 + 20, level: 20, message: 'f-debug', source: 'worker' },
          { ts: T0 + 30, level: 'info', message: 'f-info École', source: 'api' },
          { ts: new Date(T0 + 40).toISOString(), level: 'warn', message: 'f-warn 50% done', source: 'api', fingerprint: 'custom-fp' },
          { ts: T0 + 50, level: 'error', message: 'f-error user_id', source: 'api', fingerprint: 'custom-fp' },
          { ts: T0 + 60, level: 60, message: 'f-fatal', source: 'cron' }
        ]
      })
      const own = { project_id: String(r.projectId), q: 'f-' }
      const messages = async (query: Record<string, string>) => {
        const res = await get(r, { ...own, ...query })
        t.equal(res.status, 200, JSON.stringify(query))
        return res.json.events.map((e: { message: string }) => e.message)
      }
      t.same(await messages({}), ['f-fatal', 'f-error user_id', 'f-warn 50% done', 'f-info École', 'f-debug', 'f-trace'], 'newest first')
      t.same(await messages({ level: 'error' }), ['f-error user_id'])
      t.same(await messages({ level: 'trace,fatal' }), ['f-fatal', 'f-trace'])
      t.same(await messages({ level: '20,warn' }), ['f-warn 50% done', 'f-debug'])
      t.same(await messages({ min_level: 'warn' }), ['f-fatal', 'f-error user_id', 'f-warn 50% done'])
      t.same(await messages({ q: 'ÉCOLE' }), ['f-info École'], 'q is case-insensitive, non-ASCII too')
      t.same(await messages({ q: '50%' }), ['f-warn 50% done'], '% is literal')
      t.same(await messages({ q: 'r_i' }), ['f-error user_id'], '_ is literal')
      t.same(await messages({ source: 'worker' }), ['f-debug', 'f-trace'])
      t.same(await messages({ fingerprint: 'custom-fp' }), ['f-error user_id', 'f-warn 50% done'])
      t.same(await messages({ from: new Date(T0 + 40).toISOString() }), ['f-fatal', 'f-error user_id', 'f-warn 50% done'], 'from (ISO) inclusive')
      t.same(await messages({ to: String(T0 + 20) }), ['f-trace'], 'to (epoch ms) exclusive')
      t.same(await messages({ from: String(T0 + 20), to: new Date(T0 + 40).toISOString() }), ['f-info École', 'f-debug'])
      t.same(await messages({ project_id: String(second.id), q: '' }), ['from the second project'])
      const everyProject = await get(r, { level: 'error', source: 'api', from: String(T0 + 50), to: String(T0 + 51) })
      t.same(everyProject.json.events.map((e: { message: string }) => e.message).sort(), ['f-error user_id', 'from the second project'],
        'without project_id every project is searched')
    })

    t.test('400 names the bad parameter', async (t) => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ level: 'loud' }, 'level'], [{ min_level: 'x' }, 'min_level'], [{ from: 'yesterday' }, 'from'],
        [{ to: 'soon' }, 'to'], [{ limit: '0' }, 'limit'], [{ cursor: 'not-a-cursor' }, 'cursor'], [{ project_id: 'abc' }, 'project_id']
      ]
      for (const [query, field] of cases) {
        const res = await get(r, query)
        t.equal(res.status, 400, field)
        t.match(res.json, { code: 'TEKNO_ERR_BAD_QUERY', field }, field)
      }
    })

    t.test('cursor paging and the limit cap', async (t) => {
      const paged = await (await r.admin('POST', '/admin/projects', { name: 'paged' })).json() as { id: number, key: string, secret: string }
      // 1 100 events in 5 batches; ts repeats so pages cut through runs of equal ts.
      for (let b = 0; b < 5; b++) {
        const events = Array.from({ length: 220 }, (_, i) => ({ ts: T0 + ((b * 220 + i) % 37), message: `p${b * 220 + i}` }))
        const res = await r.send({ batch_id: `paged-${b}`, events }, paged)
        t.equal(res.status, 202)
      }
      const pid = String(paged.id)

      const dflt = await get(r, { project_id: pid })
      t.equal(dflt.json.events.length, 100, 'default limit 100')
      t.type(dflt.json.next_cursor, 'string')

      const capped = await get(r, { project_id: pid, limit: '5000' })
      t.equal(capped.status, 200)
      t.equal(capped.json.events.length, 1000, 'limit cut at 1000')
      t.type(capped.json.next_cursor, 'string')
      const rest = await get(r, { project_id: pid, limit: '5000', cursor: capped.json.next_cursor })
      t.equal(rest.json.events.length, 100)
      t.equal(rest.json.next_cursor, null)
      const all = [...capped.json.events, ...rest.json.events] as Array<{ id: number, ts: string, message: string }>
      t.equal(new Set(all.map((e) => e.message)).size, 1100, 'every event once')

      let cursor: string | null = null
      const seen: number[] = []
      let pages = 0
      do {
        const res: { status: number, json: any } = await get(r, { project_id: pid, limit: '77', ...(cursor === null ? {} : { cursor }) })
        t.equal(res.status, 200)
        seen.push(...res.json.events.map((e: { id: number }) => e.id))
        cursor = res.json.next_cursor
        pages++
      } while (cursor !== null && pages < 100)
      t.equal(pages, Math.ceil(1100 / 77))
      t.equal(new Set(seen).size, seen.length, 'no duplicates across pages')
      t.same(seen, all.map((e) => e.id), 'no gaps: the pages are the same list, in the same order')
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!]
        if (!(a.ts > b.ts || (a.ts === b.ts && a.id > b.id))) { t.fail(`order broken at ${i}`); break }
      }

      // Filters keep applying on later pages.
      const filtered = await get(r, { project_id: pid, to: String(T0 + 10), limit: '50' })
      const page2 = await get(r, { project_id: pid, to: String(T0 + 10), limit: '50', cursor: filtered.json.next_cursor })
      t.ok([...filtered.json.events, ...page2.json.events].every((e: { ts: string }) => Date.parse(e.ts) < T0 + 10))
    })
  })
}

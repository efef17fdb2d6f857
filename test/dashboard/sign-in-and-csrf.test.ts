import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'

// Sign-in, the session cookie's flags, CSRF and Origin on state-changing calls, slowing wrong
// tokens, and sessions that work on a second receiver sharing the database and token: all
// through real HTTP on 127.0.0.1.

let clock = Date.now()
const now = () => clock

interface Answer { status: number, json: any, headers: Headers }

async function call (url: string, method: string, opts: { body?: unknown, headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) })
  })
  return { status: res.status, json: await res.json().catch(() => null), headers: res.headers }
}

t.test('dashboard sessions', async (t) => {
  const r = await startReceiver({ now })
  t.teardown(() => r.close())
  const origin = r.url
  const signIn = (token: string, headers: Record<string, string> = { origin }) =>
    call(`${r.url}/dashboard/sign-in`, 'POST', { body: { token }, headers })

  let cookie = ''
  let csrf = ''

  await t.test('sign-in sets an HttpOnly, SameSite=Strict cookie and answers a CSRF token', async (t) => {
    const res = await signIn(r.adminToken)
    t.equal(res.status, 200)
    t.equal(res.json.signed_in, true)
    t.match(res.json.csrf_token, /^[A-Za-z0-9_-]{43}$/)
    const setCookie = res.headers.get('set-cookie') ?? ''
    t.match(setCookie, /^tekno_session=v1\./)
    t.match(setCookie, /HttpOnly/)
    t.match(setCookie, /SameSite=Strict/)
    t.match(setCookie, /Path=\//)
    t.notMatch(setCookie, /Secure/, 'no Secure flag on plain http')
    t.notMatch(JSON.stringify(res.json), r.adminToken, 'the token is not echoed')
    cookie = setCookie.split(';')[0] as string
    csrf = res.json.csrf_token
    const session = await call(`${r.url}/dashboard/session`, 'GET', { headers: { cookie } })
    t.same(session.json, res.json, 'the page can ask for its CSRF token again after a reload')
  })

  await t.test('the cookie reads the API; the bearer header still works for scripts', async (t) => {
    t.equal((await call(`${r.url}/api/log`, 'GET', { headers: { cookie } })).status, 200)
    t.equal((await call(`${r.url}/api/stats/minutes`, 'GET', { headers: { cookie } })).status, 200)
    t.equal((await call(`${r.url}/admin/projects`, 'GET', { headers: { cookie } })).status, 200)
    t.equal((await r.admin('GET', '/api/stats/fingerprints')).status, 200)
    t.equal((await call(`${r.url}/api/stats/errors`, 'GET')).status, 401, 'nothing without either')
    const bad = await call(`${r.url}/api/log`, 'GET', { headers: { cookie: `${cookie.slice(0, -2)}xx` } })
    t.equal(bad.status, 401, 'a tampered cookie is refused')
  })

  await t.test('state-changing calls with the cookie need the CSRF token and the own Origin', async (t) => {
    const body = { name: 'from the dashboard' }
    let res = await call(`${r.url}/admin/projects`, 'POST', { body, headers: { cookie, origin } })
    t.equal(res.status, 403, 'no CSRF token')
    t.equal(res.json.code, 'TEKNO_ERR_CSRF')
    res = await call(`${r.url}/admin/projects`, 'POST', { body, headers: { cookie, origin, 'x-tekno-csrf': 'A'.repeat(43) } })
    t.equal(res.status, 403, 'wrong CSRF token')
    res = await call(`${r.url}/admin/projects`, 'POST', { body, headers: { cookie, origin: 'https://evil.example', 'x-tekno-csrf': csrf } })
    t.equal(res.status, 403, 'another origin')
    res = await call(`${r.url}/admin/projects`, 'POST', { body, headers: { cookie, 'x-tekno-csrf': csrf } })
    t.equal(res.status, 403, 'no origin at all')
    res = await call(`${r.url}/admin/projects`, 'POST', { body, headers: { cookie, origin, 'x-tekno-csrf': csrf } })
    t.equal(res.status, 201, 'token and origin: allowed')
    const projects = (await (await r.admin('GET', '/admin/projects')).json() as { projects: Array<{ name: string }> }).projects
    t.equal(projects.filter((p) => p.name === 'from the dashboard').length, 1, 'only the allowed call created a project')
  })

  await t.test('sign-in refuses a foreign or missing Origin', async (t) => {
    t.equal((await signIn(r.adminToken, { origin: 'https://evil.example' })).status, 403)
    t.equal((await signIn(r.adminToken, {})).status, 403)
  })

  await t.test('a session signed on one receiver works on another sharing the token', async (t) => {
    const other = await startReceiver({ now, join: r })
    t.teardown(() => other.close())
    t.equal((await call(`${other.url}/api/log`, 'GET', { headers: { cookie } })).status, 200)
    const res = await call(`${other.url}/admin/projects/${r.projectId}`, 'PATCH', {
      body: { name: 'renamed' }, headers: { cookie, origin: other.url, 'x-tekno-csrf': csrf }
    })
    t.equal(res.status, 200, 'its CSRF token too')
  })

  await t.test('the session expires after 12 hours', async (t) => {
    clock += 12 * 3_600_000
    t.equal((await call(`${r.url}/api/log`, 'GET', { headers: { cookie } })).status, 401)
    t.same((await call(`${r.url}/dashboard/session`, 'GET', { headers: { cookie } })).json, { signed_in: false })
  })

  await t.test('sign-out needs the CSRF token and clears the cookie', async (t) => {
    const fresh = await signIn(r.adminToken)
    const c = (fresh.headers.get('set-cookie') ?? '').split(';')[0] as string
    let res = await call(`${r.url}/dashboard/sign-out`, 'POST', { headers: { cookie: c, origin } })
    t.equal(res.status, 403, 'a forged sign-out is refused')
    res = await call(`${r.url}/dashboard/sign-out`, 'POST', { headers: { cookie: c, origin, 'x-tekno-csrf': fresh.json.csrf_token } })
    t.equal(res.status, 200)
    t.match(res.headers.get('set-cookie'), /tekno_session=;.*Expires=Thu, 01 Jan 1970/)
  })

  await t.test('wrong tokens say so, then are slowed down; the wait ends', async (t) => {
    for (let i = 1; i <= 5; i++) {
      const res = await signIn(`wrong-token-${i}-0123456789abcdefghijklmnop`)
      t.equal(res.status, 401, `wrong token ${i}`)
      t.equal(res.json.message, 'Wrong admin token')
    }
    const sixth = await signIn('wrong-token-6-0123456789abcdefghijklmnop')
    t.equal(sixth.status, 401)
    t.equal(sixth.json.retry_after, 1, 'the answer says how long the next attempt waits')
    const blocked = await signIn(r.adminToken)
    t.equal(blocked.status, 429, 'even the right token waits its turn')
    t.equal(blocked.json.code, 'TEKNO_ERR_RATE_LIMITED')
    t.equal(blocked.json.scope, 'ip')
    t.equal(blocked.headers.get('retry-after'), '1')
    clock += 1_000
    t.equal((await signIn('wrong-token-7-0123456789abcdefghijklmnop')).json.retry_after, 2, 'the wait doubles')
    clock += 2_000
    t.equal((await signIn(r.adminToken)).status, 200, 'after the wait the right token signs in')
  })

  await t.test('behind https the cookie is Secure', async (t) => {
    const secure = await startReceiver({ now, env: { TRUST_PROXY: 'true' } })
    t.teardown(() => secure.close())
    const host = new URL(secure.url).host
    const res = await call(`${secure.url}/dashboard/sign-in`, 'POST', {
      body: { token: secure.adminToken },
      headers: { origin: `https://${host}`, 'x-forwarded-proto': 'https' }
    })
    t.equal(res.status, 200)
    t.match(res.headers.get('set-cookie'), /; Secure/)
  })

  await t.test('the page and its files carry a CSP without inline script', async (t) => {
    for (const path of ['/', '/js/main.js', '/app.css', '/vendor/uplot/uPlot.esm.js']) {
      const res = await fetch(`${r.url}${path}`)
      t.equal(res.status, 200, path)
      const csp = res.headers.get('content-security-policy') ?? ''
      t.match(csp, /script-src 'self'(;|$)/, `${path}: scripts only from the receiver`)
      t.notMatch(csp, /unsafe-inline|unsafe-eval/, path)
      await res.arrayBuffer()
    }
    const html = await (await fetch(r.url)).text()
    t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the page')
    t.equal((await fetch(`${r.url}/vendor/uplot/uPlot.cjs.js`)).status, 404, 'only the two vendor files are served')
  })
})

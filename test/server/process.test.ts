import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { request } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { openStore } from '../../server/dist/app.js'
import { backends, createBackend } from '../helpers/backends.js'
import { signedHeaders } from '../helpers/sign.js'

// The real process, `node server/dist/main.js`, as a user or a platform starts it: the printed
// admin token, config errors, `migrate`, and a SIGTERM that drains in-flight batches.

const MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url))
const EXAMPLE = fileURLToPath(new URL('../../examples/send-batch.mjs', import.meta.url))
const TOKEN = 'process-test-admin-token-0123456789abcdef'

// Every case starts real processes (and migrations fsync); on a busy CI machine that is slow.
t.setTimeout(300_000)

interface Exit { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** A clean environment: nothing of ours leaks in from the test runner's own. */
function cleanEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...extra }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-process-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function run (args: string[], env: NodeJS.ProcessEnv, cwd: string, script = MAIN): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

interface Server { child: ChildProcess, url: string, stdout: () => string, stderr: () => string, exited: Promise<Exit> }

/** Starts the receiver and resolves once it prints that it listens. */
async function serve (t: Test, env: Record<string, string>, cwd: string): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, [MAIN], { cwd, env: cleanEnv({ HOST: '127.0.0.1', PORT: String(port), ...env }), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => { stderr += d })
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const deadline = Date.now() + 90_000
  while (!stdout.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`the receiver exited ${child.exitCode}: ${stderr}`)
    if (Date.now() > deadline) throw new Error(`the receiver did not start: ${stdout} ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exited }
}

t.test('without ADMIN_TOKEN it generates one, prints it once, and it works', async (t) => {
  const cwd = tempDir(t)
  const server = await serve(t, {}, cwd)
  // Give any late output a moment, so "once" is checked on everything printed at start.
  await fetch(`${server.url}/healthz`)
  const lines = server.stdout().split('\n').filter((l) => l.includes('ADMIN_TOKEN'))
  t.equal(lines.length, 1, 'printed once')
  const token = /generated for this run: (\S+)/.exec(lines[0] ?? '')?.[1] ?? ''
  t.ok(token.length >= 32, 'a token of at least 32 characters')
  t.equal(server.stdout().split(token).length - 1, 1, 'the token itself appears once')
  t.notOk(server.stderr().includes(token), 'and never on stderr')

  t.equal((await fetch(`${server.url}/admin/projects`, { headers: { authorization: `Bearer ${token}` } })).status, 200, 'the printed token is the admin token')
  t.equal((await fetch(`${server.url}/admin/projects`)).status, 401)
  t.ok(existsSync(join(cwd, 'data', 'tekno.sqlite')), 'the default database is ./data/tekno.sqlite, created on its own')
  t.equal((await fetch(`${server.url}/readyz`)).status, 200)

  await t.test('examples/send-batch.mjs sends a batch that is accepted', async (t) => {
    const created = await fetch(`${server.url}/admin/projects`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"example"}'
    })
    const p = await created.json() as { key: string, secret: string, id: number }
    for (const gzip of ['0', '1']) {
      const res = await run([], cleanEnv({ TEKNO_URL: server.url, TEKNO_KEY: p.key, TEKNO_SECRET: p.secret, TEKNO_GZIP: gzip }), cwd, EXAMPLE)
      t.equal(res.code, 0, `gzip=${gzip}: exit 0 (${res.stdout}${res.stderr})`)
      t.match(res.stdout, /^202 \{"accepted":2\}/, `gzip=${gzip}: prints the answer`)
    }
    const events = await (await fetch(`${server.url}/api/log?project_id=${p.id}`, { headers: { authorization: `Bearer ${token}` } })).json() as { events: unknown[] }
    t.equal(events.events.length, 4)
    const bad = await run([], cleanEnv({ TEKNO_URL: server.url, TEKNO_KEY: p.key, TEKNO_SECRET: 'wrong' }), cwd, EXAMPLE)
    t.equal(bad.code, 1, 'a refusal exits 1')
    t.match(bad.stdout, /^401 .*TEKNO_ERR_BAD_SIGNATURE/)
  })

  server.child.kill('SIGTERM')
  const exit = await server.exited
  t.equal(exit.code, 0, 'SIGTERM exits 0')
})

t.test('with ADMIN_TOKEN set, no token is printed', async (t) => {
  const cwd = tempDir(t)
  const server = await serve(t, { ADMIN_TOKEN: TOKEN, DATABASE_URL: `sqlite:${join(cwd, 'db.sqlite')}` }, cwd)
  t.notOk(server.stdout().includes(TOKEN))
  t.notOk(server.stdout().includes('ADMIN_TOKEN'))
  server.child.kill('SIGINT')
  t.equal((await server.exited).code, 0, 'SIGINT exits 0 too')
})

t.test('bad configuration exits 1 with one line per problem naming the variable', async (t) => {
  const cwd = tempDir(t)
  const res = await run([], cleanEnv({ PORT: 'eighty', RETENTION_HOURS: '100', ADMIN_TOKEN: 'short', DATABASE_URL: 'oracle://db' }), cwd)
  t.equal(res.code, 1)
  const lines = res.stderr.trim().split('\n')
  t.equal(lines.length, 4, `four lines:\n${res.stderr}`)
  for (const name of ['PORT', 'RETENTION_HOURS', 'ADMIN_TOKEN', 'DATABASE_URL']) {
    t.equal(lines.filter((l) => new RegExp(`\\b${name}\\b`).test(l)).length, 1, `one line names ${name}`)
  }
  t.notOk(res.stdout.includes('listening'), 'it never listened')

  const prod = await run([], cleanEnv({ NODE_ENV: 'production' }), cwd)
  t.equal(prod.code, 1, 'production without ADMIN_TOKEN')
  t.match(prod.stderr.trim(), /^[^\n]*ADMIN_TOKEN[^\n]*$/, 'one line, naming ADMIN_TOKEN')
  t.notOk(prod.stdout.includes('generated'), 'no token generated in production')

  const migrate = await run(['migrate'], cleanEnv({ RETENTION_HOURS: 'x' }), cwd)
  t.equal(migrate.code, 1, 'migrate checks the configuration too')
  t.match(migrate.stderr, /RETENTION_HOURS/)
})

for (const backend of backends()) {
  t.test(`${backend}: migrate exits 0 twice in a row, and from two processes at once`, async (t) => {
    const cwd = tempDir(t)
    const first = await createBackend(backend)
    t.teardown(() => first.destroy())
    const env = cleanEnv({ DATABASE_URL: first.databaseUrl })
    const a = await run(['migrate'], env, cwd)
    t.equal(a.code, 0, `first run: ${a.stderr}`)
    t.match(a.stdout, /migrations applied: 001_init/)
    const b = await run(['migrate'], env, cwd)
    t.equal(b.code, 0, `second run: ${b.stderr}`)
    t.match(b.stdout, /up to date/)

    const fresh = await createBackend(backend)
    t.teardown(() => fresh.destroy())
    const both = await Promise.all([1, 2].map(() => run(['migrate'], cleanEnv({ DATABASE_URL: fresh.databaseUrl }), cwd)))
    for (const [i, res] of both.entries()) t.equal(res.code, 0, `concurrent run ${i + 1}: ${res.stderr}`)
    t.equal(both.filter((res) => /migrations applied: 001_init/.test(res.stdout)).length, 1, 'one of them applied the migrations')
    t.equal(both.filter((res) => /up to date/.test(res.stdout)).length, 1, 'the other found them done')
    t.match((await run(['migrate'], cleanEnv({ DATABASE_URL: fresh.databaseUrl }), cwd)).stdout, /up to date/)
  })
}

for (const backend of backends()) {
  t.test(`${backend}: SIGTERM while batches are in flight: all answered 202, all committed, exit 0`, async (t) => {
    const cwd = tempDir(t)
    const database = await createBackend(backend)
    t.teardown(() => database.destroy())
    const server = await serve(t, { ADMIN_TOKEN: TOKEN, DATABASE_URL: database.databaseUrl, RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' }, cwd)
    const created = await fetch(`${server.url}/admin/projects`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"name":"drain"}'
    })
    const p = await created.json() as { id: number, key: string, secret: string }
    const { port } = new URL(server.url)

    // Each request sends its headers and half its body, so it is surely in flight when SIGTERM
    // lands; the other half follows after the signal.
    const inFlight = Array.from({ length: 6 }, (_, i) => {
      const body = Buffer.from(JSON.stringify({
        batch_id: `drain-${i}`, events: Array.from({ length: 200 }, (_, j) => ({ message: `drain ${i}/${j}`, level: 'info' }))
      }))
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/log', headers: { ...signedHeaders(p.key, p.secret, body), 'content-length': String(body.length) } })
      const answer = new Promise<{ status: number, body: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = ''
          res.on('data', (d) => { text += d })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        })
        req.on('error', reject)
      })
      req.write(body.subarray(0, body.length >> 1))
      return { req, rest: body.subarray(body.length >> 1), answer }
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(server.child.exitCode, null, 'still running while requests are open')
    const late = await fetch(`${server.url}/healthz`).then(() => 'answered', () => 'refused')
    t.equal(late, 'refused', 'no new connections after SIGTERM')
    for (const f of inFlight) f.req.end(f.rest)

    const answers = await Promise.all(inFlight.map((f) => f.answer))
    for (const [i, a] of answers.entries()) {
      t.equal(a.status, 202, `batch ${i} answered 202`)
      t.same(JSON.parse(a.body), { accepted: 200 })
    }
    const exit = await server.exited
    t.equal(exit.code, 0, `exit code 0 ${exit.stderr}`)

    // Read back through a fresh store, after the process is gone.
    const store = openStore(database.databaseUrl)
    t.teardown(() => store.close())
    const messages: string[] = []
    let before: { ts: number, id: number } | undefined
    do {
      const page = await store.logs.search({ projectId: p.id, limit: 1000, ...(before === undefined ? {} : { before }) })
      messages.push(...page.events.map((e) => e.message))
      before = page.next ?? undefined
    } while (before !== undefined)
    t.equal(messages.length, 1200, 'every answered event is in the database')
    t.equal(new Set(messages).size, 1200, 'each once')
    for (let i = 0; i < 6; i++) t.equal(await store.logs.findBatch(p.id, `drain-${i}`), 200, `batch ${i} recorded`)
  })
}

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { backends } from '../helpers/backends.js'
import { createMysqlDatabase } from '../helpers/mysql.js'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'

// When the database goes away the receiver answers 503 with Retry-After (never 500), stores
// nothing half, turns /readyz 503, and recovers by itself. MySQL/MariaDB is cut away with a TCP
// proxy this test owns (the shared MariaDB is never touched); SQLite is locked by another
// connection past the busy timeout.

// The SQLite case waits out the 5 s busy timeout, and migrations are slow on a busy machine.
t.setTimeout(300_000)

const NO_LIMITS = { RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '0', RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0' }

/** A TCP proxy on 127.0.0.1 that can be cut (listener closed, sockets destroyed) and restored on the same port. */
class CuttableProxy {
  readonly #target: { host: string, port: number }
  #server: Server | null = null
  #sockets = new Set<Socket>()
  #port = 0
  /** When set: cut everything once this many more bytes have gone from client to database. */
  #cutAfterBytes: number | null = null
  cuts = 0

  constructor (target: { host: string, port: number }) {
    this.#target = target
  }

  get port (): number { return this.#port }

  async listen (): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host)
      for (const s of [client, upstream]) {
        this.#sockets.add(s)
        s.on('close', () => this.#sockets.delete(s))
        s.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.on('data', (chunk: Buffer) => {
        if (this.#cutAfterBytes !== null) {
          this.#cutAfterBytes -= chunk.length
          // The chunk that crosses the line is never forwarded: the statement arrives incomplete.
          if (this.#cutAfterBytes <= 0) { this.#cutAfterBytes = null; void this.cut(); return }
        }
        upstream.write(chunk)
      })
      upstream.on('data', (chunk: Buffer) => client.write(chunk))
      client.on('end', () => upstream.end())
      upstream.on('end', () => client.end())
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, '127.0.0.1', () => { server.off('error', reject); resolve() })
    })
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
  }

  /** The database is gone: no new connections, every open one dropped mid-stream. */
  async cut (): Promise<void> {
    const server = this.#server
    this.#server = null
    this.cuts++
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  cutAfter (bytes: number): void { this.#cutAfterBytes = bytes }

  async restore (): Promise<void> { await this.listen() }
}

async function postBatch (r: RunningReceiver, body: unknown): Promise<{ status: number, json: any, retryAfter: string | null }> {
  const res = await r.send(body)
  return { status: res.status, json: await res.json(), retryAfter: res.headers.get('retry-after') }
}

async function readyz (r: RunningReceiver): Promise<number> {
  return (await fetch(`${r.url}/readyz`)).status
}

/** /readyz after a restore: the pool reconnects on its own, though maybe not on the very first try. */
async function eventuallyReady (r: RunningReceiver): Promise<number> {
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = await readyz(r)
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return status
}

function expect503 (t: Test, res: { status: number, json: any, retryAfter: string | null }, what: string): void {
  t.equal(res.status, 503, `${what}: 503`)
  t.equal(res.json.code, 'TEKNO_ERR_STORAGE_UNAVAILABLE', `${what}: the storage code`)
  t.type(res.json.message, 'string')
  t.match(res.retryAfter, /^[1-9]\d*$/, `${what}: Retry-After in seconds`)
}

const big = (prefix: string) => ({
  batch_id: `${prefix}-batch`,
  // About 400 KB: large enough that the INSERT crosses the proxy in many chunks.
  events: Array.from({ length: 200 }, (_, i) => ({ message: `${prefix} ${i} ${'x'.repeat(2_000)}`, level: 'warn', source: 'outage' }))
})

if (backends().includes('mysql')) {
  t.test('mysql: cut away and restored through a proxy', async (t) => {
    const db = await createMysqlDatabase()
    t.teardown(() => db.drop())
    const direct = new URL(db.url)
    const proxy = new CuttableProxy({ host: direct.hostname, port: Number(direct.port || 3306) })
    await proxy.listen()
    t.teardown(() => proxy.cut())
    const proxied = new URL(db.url)
    proxied.hostname = '127.0.0.1'
    proxied.port = String(proxy.port)

    const r = await startReceiver({ env: { ...NO_LIMITS, DATABASE_URL: proxied.toString() } })
    t.teardown(() => r.close())
    t.equal(r.store.kind, 'mysql', 'the receiver talks to MariaDB through the proxy')
    const count = async () => (await r.fetchEvents({ project_id: String(r.projectId), limit: '1000' })).length

    t.equal((await postBatch(r, { batch_id: 'before', events: [{ message: 'before the outage' }] })).status, 202)
    t.equal(await readyz(r), 200)

    t.test('cut while idle: 503, /readyz 503, nothing stored', async (t) => {
      await proxy.cut()
      const res = await postBatch(r, { batch_id: 'during', events: [{ message: 'during the outage' }, { message: 'second' }] })
      expect503(t, res, 'ingest')
      t.equal(await readyz(r), 503, '/readyz')
      const search = await r.admin('GET', '/api/log')
      t.equal(search.status, 503, 'search says 503 too, not 500')
      t.equal(search.headers.get('retry-after') !== null, true)
      t.equal((await fetch(`${r.url}/healthz`)).status, 200, '/healthz: the process still serves')

      await proxy.restore()
      t.equal(await eventuallyReady(r), 200, '/readyz recovers without a restart')
      t.equal(await count(), 1, 'nothing of the refused batch was stored')
      const retry = await postBatch(r, { batch_id: 'during', events: [{ message: 'during the outage' }, { message: 'second' }] })
      t.equal(retry.status, 202, 'ingestion works again')
      t.same(retry.json, { accepted: 2 }, 'the retry is new, not a duplicate: the batch id was not kept either')
      t.equal(await count(), 3)
    })

    t.test('cut in the middle of the INSERT: 503 and the transaction rolled back', async (t) => {
      const before = await count()
      proxy.cutAfter(64 * 1024)
      const res = await postBatch(r, big('mid'))
      expect503(t, res, 'ingest cut mid-statement')
      t.equal(proxy.cuts, 2, 'the proxy did cut during the insert')
      await proxy.restore()
      t.equal(await eventuallyReady(r), 200)
      t.equal(await count(), before, 'not one event of the batch is stored')
      const retry = await postBatch(r, big('mid'))
      t.equal(retry.status, 202)
      t.same(retry.json, { accepted: 200 }, 'the retry stores the whole batch once')
      t.equal(await count(), before + 200)
      t.same(await postBatch(r, big('mid')).then((x) => x.json), { accepted: 200, duplicate: true })
    })

    t.test('several outages in a row', async (t) => {
      for (let i = 0; i < 3; i++) {
        await proxy.cut()
        expect503(t, await postBatch(r, { events: [{ message: `lost ${i}` }] }), `outage ${i}`)
        await proxy.restore()
        t.equal(await eventuallyReady(r), 200)
        t.equal((await postBatch(r, { events: [{ message: `kept ${i}` }] })).status, 202, `back ${i}`)
      }
      const messages = (await r.fetchEvents({ q: 'kept ' })).map((e) => e.message)
      t.same(messages.sort(), ['kept 0', 'kept 1', 'kept 2'])
      t.same(await r.fetchEvents({ q: 'lost ' }), [])
    })
  })
} else {
  t.pass('MySQL outage test not run: set TEKNO_TEST_MYSQL_URL to run it')
}

t.test('sqlite: a write lock held past the busy timeout answers 503 and stores nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-outage-'))
  const file = join(dir, 'tekno.sqlite')
  const r = await startReceiver({ env: { ...NO_LIMITS, DATABASE_URL: `sqlite:${file}` } })
  t.teardown(async () => { await r.close(); rmSync(dir, { recursive: true, force: true }) })
  t.equal((await postBatch(r, { events: [{ message: 'before the lock' }] })).status, 202)

  const other = new Database(file)
  t.teardown(() => { if (other.open) other.close() })
  other.exec('BEGIN EXCLUSIVE')
  const res = await postBatch(r, { batch_id: 'locked', events: [{ message: 'while locked 1' }, { message: 'while locked 2' }] })
  expect503(t, res, 'ingest while locked')
  other.exec('ROLLBACK')
  other.close()

  t.same((await r.fetchEvents()).map((e) => e.message), ['before the lock'], 'nothing of the refused batch')
  t.equal(await readyz(r), 200)
  const retry = await postBatch(r, { batch_id: 'locked', events: [{ message: 'while locked 1' }, { message: 'while locked 2' }] })
  t.equal(retry.status, 202, 'the lock gone, the same batch is stored')
  t.same(retry.json, { accepted: 2 })
  t.equal((await r.fetchEvents()).length, 3)
})

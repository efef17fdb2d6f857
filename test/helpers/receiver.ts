import { buildApp, loadConfig, openStore, type Store } from '../../server/dist/app.js'
import { createBackend, type Backend } from './backends.js'
import { signedHeaders } from './sign.js'

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop'

export interface ReceiverOptions {
  backend?: Backend
  /** Extra environment for loadConfig (RATE_LIMIT_*, RETENTION_HOURS, …). */
  env?: Record<string, string>
  now?: () => number
  maintenanceBatchSize?: number
  /** Join another receiver's database and project instead of creating fresh ones (scale-out tests). */
  join?: RunningReceiver
}

export interface RunningReceiver {
  url: string
  key: string
  secret: string
  projectId: number
  adminToken: string
  databaseUrl: string
  store: Store
  app: Awaited<ReturnType<typeof buildApp>>
  /** POST a signed JSON body to /api/log. */
  send (body: unknown, opts?: { key?: string, secret?: string }): Promise<Response>
  /** GET /api/log with the admin token; returns the events (newest first). */
  fetchEvents (query?: Record<string, string>): Promise<any[]>
  admin (method: string, path: string, body?: unknown): Promise<Response>
  close (): Promise<void>
}

/**
 * The real receiver on 127.0.0.1 with a random port, on a fresh SQLite file (or MySQL database),
 * with one project created through the admin API.
 */
export async function startReceiver (opts: ReceiverOptions = {}): Promise<RunningReceiver> {
  const backend = opts.join === undefined
    ? await createBackend(opts.backend ?? 'sqlite')
    : { databaseUrl: opts.join.databaseUrl, destroy: async () => {} }
  const config = loadConfig({ DATABASE_URL: backend.databaseUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN, PORT: '0', ...opts.env })
  const store = openStore(config.databaseUrl)
  await store.migrate()
  const app = await buildApp({
    config,
    store,
    logger: false,
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.maintenanceBatchSize === undefined ? {} : { maintenanceBatchSize: opts.maintenanceBatchSize })
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = address.replace('localhost', '127.0.0.1')

  const admin = (method: string, path: string, body?: unknown): Promise<Response> => fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  let project: { id: number, key: string, secret: string }
  if (opts.join === undefined) {
    const created = await admin('POST', '/admin/projects', { name: 'test' })
    if (created.status !== 201) throw new Error(`could not create a project: ${created.status} ${await created.text()}`)
    project = await created.json() as { id: number, key: string, secret: string }
  } else {
    project = { id: opts.join.projectId, key: opts.join.key, secret: opts.join.secret }
  }

  return {
    url,
    key: project.key,
    secret: project.secret,
    projectId: project.id,
    adminToken: TEST_ADMIN_TOKEN,
    databaseUrl: backend.databaseUrl,
    store,
    app,
    admin,
    send (body, o = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body)
      // Signed at the receiver's (possibly injected) time, so tests can move the clock freely.
      const timestamp = Math.floor((opts.now ?? Date.now)() / 1000)
      return fetch(`${url}/api/log`, { method: 'POST', headers: signedHeaders(o.key ?? project.key, o.secret ?? project.secret, raw, { timestamp }), body: raw })
    },
    async fetchEvents (query = {}) {
      const res = await admin('GET', `/api/log?${new URLSearchParams({ limit: '1000', ...query }).toString()}`)
      if (res.status !== 200) throw new Error(`GET /api/log answered ${res.status}: ${await res.text()}`)
      return (await res.json() as { events: any[] }).events
    },
    async close () {
      await app.close()
      await store.close()
      await backend.destroy()
    }
  }
}

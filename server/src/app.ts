import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { createAdminCheck } from './admin/admin-token.js'
import type { Config } from './config.js'
import { TeknoError } from './errors.js'
import { installErrorHandling } from './http-errors.js'
import { adminRoutes } from './routes/admin.js'
import { ingestRoutes } from './routes/ingest.js'
import { logRoutes } from './routes/logs.js'
import { systemRoutes } from './routes/system.js'
import type { Store } from './storage/store.js'
import type { StoredEvent } from './ingest/validate.js'

export interface AppOptions {
  config: Config
  store: Store
  /** Injected clock: tests move time without sleeping. */
  now?: () => number
  logger?: boolean | { level: string }
}

/** What every route plugin receives: the pieces, never process.env. */
export interface AppContext {
  config: Config
  store: Store
  now: () => number
  requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /**
   * Called after a batch is committed (never for a duplicate), once the reply is on its way.
   * Alerts and maintenance hang off this; a listener that throws is logged and never affects
   * ingestion.
   */
  ingestListeners: IngestListener[]
}

export interface IngestedBatch {
  projectId: number
  events: readonly StoredEvent[]
  receivedAt: number
}

export type IngestListener = (batch: IngestedBatch) => void | Promise<void>

/** Builds the receiver. It does not listen: main.ts does, and tests use inject() or listen(0). */
export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const { config, store } = options
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // Per-request lines would cost more than the ingest itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    // Generous for admin JSON; /api/log sets its own 512 KiB limit on the raw bytes.
    bodyLimit: 1024 * 1024
  })
  const isAdmin = createAdminCheck(config.adminToken)
  const ctx: AppContext = {
    config,
    store,
    now: options.now ?? Date.now,
    requireAdmin: async (request) => {
      if (!isAdmin(request.headers.authorization)) throw new TeknoError('TEKNO_ERR_UNAUTHORIZED')
    },
    ingestListeners: []
  }

  installErrorHandling(app)
  await app.register(systemRoutes, ctx)
  await app.register(ingestRoutes, ctx)
  await app.register(logRoutes, ctx)
  await app.register(adminRoutes, ctx)
  return app
}

export type { Config } from './config.js'
export { loadConfig } from './config.js'
export { openStore } from './storage/open-store.js'
export type { Store } from './storage/store.js'

import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { createAdminCheck } from './admin/admin-token.js'
import type { Config } from './config.js'
import { TeknoError } from './errors.js'
import { clientErrorHandler, installErrorHandling } from './http-errors.js'
import cookie from '@fastify/cookie'
import { judgeSession } from './dashboard/session-auth.js'
import { createSessionCodec } from './dashboard/session-token.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { statsRoutes } from './routes/stats.js'
import { RateLimiter } from './limits/rate-limiter.js'
import { Maintainer } from './maintenance/maintainer.js'
import { createMetrics, type Metrics } from './metrics.js'
import { clientConfigRoutes } from './routes/client-config.js'
import { maintenanceRoutes } from './routes/maintenance.js'
import { adminRoutes } from './routes/admin.js'
import { alertsPlugin } from './alerts/alerts-plugin.js'
import { alertRoutes } from './routes/alerts.js'
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
  /** Rows per maintenance delete statement (tests use small numbers). */
  maintenanceBatchSize?: number
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
  metrics: Metrics
  limiter: RateLimiter
  maintainer: Maintainer
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The receiver's pieces, for the process shell and tests. */
    tekno: AppContext
  }
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
    bodyLimit: 1024 * 1024,
    clientErrorHandler
  })
  // Node skips its request-timeout sweep while headersTimeout (default 60 s) exceeds requestTimeout,
  // so without this a slow body was never cut off.
  app.server.headersTimeout = Math.min(app.server.headersTimeout, config.requestTimeoutMs)
  const isAdmin = createAdminCheck(config.adminToken)
  const sessions = createSessionCodec(config.adminToken)
  const now = options.now ?? Date.now
  const metrics = createMetrics(store.poolStats === undefined ? undefined : () => store.poolStats?.())
  const maintainer = new Maintainer({
    store,
    now,
    intervalMs: config.maintenanceIntervalMs,
    leaseMs: config.maintenanceLeaseMs,
    ...(options.maintenanceBatchSize === undefined ? {} : { batchSize: options.maintenanceBatchSize }),
    onError: (err) => { app.log.error({ err }, 'maintenance failed') },
    onRun: (run) => {
      metrics.maintenanceRuns.inc({ result: run.ok ? 'ok' : 'error' })
      metrics.maintenanceDuration.observe(run.duration_ms / 1000)
      metrics.rowsPurged.inc({ kind: 'logs' }, run.logs_purged)
      metrics.rowsPurged.inc({ kind: 'batches' }, run.batches_purged)
      metrics.rowsPurged.inc({ kind: 'counters' }, run.counters_purged)
      metrics.rowsPurged.inc({ kind: 'alert_state' }, run.alert_state_purged)
      app.log.info({ maintenance: run }, 'maintenance run finished')
    }
  })
  const ctx: AppContext = {
    config,
    store,
    now,
    requireAdmin: async (request) => {
      if (isAdmin(request.headers.authorization)) return
      // Scripts use the bearer header; the dashboard's HttpOnly cookie works too, with its CSRF
      // token and own Origin on anything that changes state.
      const session = judgeSession(request, sessions, config.publicUrl, ctx.now())
      if (session === 'valid') return
      throw new TeknoError(session === 'forbidden' ? 'TEKNO_ERR_CSRF' : 'TEKNO_ERR_UNAUTHORIZED')
    },
    ingestListeners: [],
    metrics,
    limiter: new RateLimiter(store.limits),
    maintainer
  }
  app.addHook('onResponse', async (request, reply) => {
    // The route template, not the URL: unknown paths must not grow the label set without bound.
    metrics.requests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode })
  })
  app.decorate('tekno', ctx)
  app.addHook('onClose', async () => { await maintainer.stop() })

  installErrorHandling(app)
  await app.register(cookie)
  await app.register(systemRoutes, ctx)
  await app.register(ingestRoutes, ctx)
  await app.register(logRoutes, ctx)
  await app.register(adminRoutes, ctx)
  await app.register(alertsPlugin, ctx)
  await app.register(alertRoutes, ctx)
  await app.register(statsRoutes, ctx)
  await app.register(dashboardRoutes, ctx)
  await app.register(maintenanceRoutes, ctx)
  await app.register(clientConfigRoutes, ctx)
  return app
}

export type { Config } from './config.js'
export { loadConfig } from './config.js'
export { openStore } from './storage/open-store.js'
export type { Store } from './storage/store.js'

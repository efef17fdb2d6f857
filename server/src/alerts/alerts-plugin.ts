import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../app.js'
import { AlertEngine } from './alert-engine.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The alert engine: routes use it for test alerts; tests await `alerts.idle()` and call `alerts.sweep()`. */
    alerts: AlertEngine
  }
}

/**
 * Hangs alert evaluation off ingestion. The listener only queues work and returns, so an alert
 * (a slow Discord, a failing claim) never delays or fails the batch that triggered it.
 */
export async function alertsPlugin (app: FastifyInstance, ctx: AppContext): Promise<void> {
  const engine = new AlertEngine({ store: ctx.store, now: ctx.now, publicUrl: ctx.config.publicUrl, log: app.log })
  app.decorate('alerts', engine)
  ctx.ingestListeners.push((batch) => { engine.onBatch(batch) })
  // Before the store closes (main.ts closes it after the app): in-flight alerts finish first.
  app.addHook('onClose', async () => { await engine.close() })
}

// What fastify-plugin does: the decoration belongs to the root instance, so routes registered
// beside this plugin (routes/alerts.ts) see `app.alerts`.
Object.assign(alertsPlugin, { [Symbol.for('skip-override')]: true })

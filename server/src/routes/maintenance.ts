import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../app.js'
import type { MaintenanceOutcome } from '../maintenance/maintainer.js'

/** On-demand maintenance. Both answer 200 even when another receiver holds the lease, and say so. */
export async function maintenanceRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('preHandler', ctx.requireAdmin)

  const present = (outcome: MaintenanceOutcome) => outcome.ran
    ? { ran: true, ...outcome.run, started_at: new Date(outcome.run.started_at).toISOString() }
    : outcome

  app.post('/admin/maintain', async () => present(await ctx.maintainer.run('admin-maintain', true)))

  app.post('/admin/purge', async () => present(await ctx.maintainer.run('admin-purge', true)))

  app.get('/admin/maintenance', async () => {
    const [lease, runs] = await Promise.all([ctx.store.maintenance.lease(), ctx.store.maintenance.recentRuns(20)])
    const now = ctx.now()
    return {
      interval_minutes: ctx.config.maintenanceIntervalMs / 60_000,
      lease: {
        held: lease.expires_at > now,
        holder: lease.expires_at > now ? lease.holder : null,
        expires_at: lease.expires_at > now ? new Date(lease.expires_at).toISOString() : null,
        last_started_at: lease.last_started_at === null ? null : new Date(lease.last_started_at).toISOString()
      },
      runs: runs.map((r) => ({ ...r, started_at: new Date(r.started_at).toISOString() }))
    }
  })
}

import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../app.js'

export async function systemRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/metrics', async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType)
    return ctx.metrics.registry.metrics()
  })

  app.get('/readyz', async (_request, reply) => {
    try {
      await ctx.store.ping()
      return { status: 'ready', database: ctx.store.kind }
    } catch (err) {
      reply.code(503).header('retry-after', '5')
      return { status: 'unavailable', database: ctx.store.kind, message: (err as Error).message }
    }
  })
}

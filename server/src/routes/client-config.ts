import type { FastifyInstance } from 'fastify'
import { clientDefaults, CONFIG_TTL_SECONDS, etagOf } from '../client/client-defaults.js'
import { TeknoError } from '../errors.js'
import type { AppContext } from '../app.js'

/** GET /config: a project's client defaults, found by its public key, cacheable for 5 minutes. */
export async function clientConfigRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/config', async (request, reply) => {
    const key = request.headers['x-tekno-key']
    if (typeof key !== 'string' || key === '') throw new TeknoError('TEKNO_ERR_MISSING_KEY')
    const project = await ctx.store.projects.findByKey(key, ctx.now())
    if (project === null) throw new TeknoError('TEKNO_ERR_UNKNOWN_KEY')
    const body = JSON.stringify(clientDefaults(project, ctx.config.rateLimitProjectEventsPerMinute))
    const etag = etagOf(body)
    // private + Vary: the answer depends on a header, so a shared cache must not mix projects.
    reply.header('cache-control', `private, max-age=${CONFIG_TTL_SECONDS}`).header('vary', 'X-Tekno-Key').header('etag', etag)
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return reply.type('application/json').send(body)
  })
}

import type { FastifyInstance } from 'fastify'
import { encodeCursor, parseLogQuery } from '../search/log-query.js'
import type { AppContext } from '../app.js'

/** GET /api/log: search stored events, newest first, paged by an opaque keyset cursor. */
export async function logRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/log', { preHandler: ctx.requireAdmin }, async (request) => {
    const page = await ctx.store.logs.search(parseLogQuery(request.query))
    return { events: page.events, next_cursor: page.next === null ? null : encodeCursor(page.next) }
  })
}

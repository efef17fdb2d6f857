import Fastify from 'fastify'
import { parseBatchJson } from '../../server/dist/ingest/batch-json.js'

/**
 * The HTTP ceiling: a Fastify route that reads the same body as raw bytes (as the receiver must,
 * to check the signature) and parses it, then answers like the receiver. Nothing else, so the
 * gap between this and the receiver is what validation, signing and storage cost. It parses the
 * way the receiver does (one event at a time, see server/src/ingest/batch-json.ts): a plain
 * JSON.parse of the whole body pays for a 300 KB string in V8's large-object space, which on a
 * 2-core VM cost more than the parse, and would make the receiver look faster than its ceiling.
 */
export async function buildParseOnlyApp () {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 },
    (_req, body, done) => { done(null, body) })
  app.post('/api/log', async (request, reply) => {
    const batch = parseBatchJson(request.body) ?? JSON.parse(request.body.toString('utf8'))
    reply.code(202)
    return { accepted: batch.events.length }
  })
  return app
}

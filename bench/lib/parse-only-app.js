import Fastify from 'fastify'

/**
 * The HTTP ceiling: a Fastify route that reads the same body as raw bytes (as the receiver must,
 * to check the signature) and parses it, then answers like the receiver. Nothing else, so the
 * gap between this and the receiver is what validation, signing and storage cost.
 */
export async function buildParseOnlyApp () {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 },
    (_req, body, done) => { done(null, body) })
  app.post('/api/log', async (request, reply) => {
    const batch = JSON.parse(request.body.toString('utf8'))
    reply.code(202)
    return { accepted: batch.events.length }
  })
  return app
}

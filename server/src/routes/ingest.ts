import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { TeknoError } from '../errors.js'
import { decodeBody, MAX_BODY_BYTES } from '../ingest/body.js'
import { checkTimestamp, verifySignature } from '../ingest/signature.js'
import { validateBatch } from '../ingest/validate.js'
import type { AppContext, IngestedBatch } from '../app.js'

/**
 * POST /api/log. Checks run cheapest first and each refusal stores nothing: encoding, key,
 * timestamp, signature over the raw wire bytes, then decompression, parsing and validation.
 */
export async function ingestRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Encapsulated: only this route sees the raw-buffer parser; the signature needs the exact bytes.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
    (_req, body, done) => { done(null, body) })

  app.post('/api/log', async (request, reply) => {
    const encoding = headerValue(request.headers['content-encoding'])?.toLowerCase()
    if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'identity') {
      throw new TeknoError('TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; use gzip or none`)
    }
    const key = headerValue(request.headers['x-tekno-key'])
    if (key === undefined || key === '') throw new TeknoError('TEKNO_ERR_MISSING_KEY')
    const project = await ctx.store.projects.findByKey(key, ctx.now())
    if (project === null) throw new TeknoError('TEKNO_ERR_UNKNOWN_KEY')

    const timestamp = headerValue(request.headers['x-tekno-timestamp'])
    if (checkTimestamp(timestamp, ctx.now()) !== 'ok') throw new TeknoError('TEKNO_ERR_STALE_TIMESTAMP')
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    if (!verifySignature(project.secrets, timestamp as string, raw, headerValue(request.headers['x-tekno-signature']))) {
      throw new TeknoError('TEKNO_ERR_BAD_SIGNATURE')
    }

    const receivedAt = ctx.now()
    const batch = validateBatch(await decodeBody(raw, encoding), receivedAt)
    const result = await ctx.store.logs.insertBatch(project.id, batch.batchId, batch.events, receivedAt)
    if (!result.duplicate && ctx.ingestListeners.length > 0) {
      const ingested = { projectId: project.id, events: batch.events, receivedAt }
      // After the reply: listeners never add latency to, or fail, an accepted batch.
      reply.raw.once('finish', () => { notify(ctx, request.log, ingested) })
    }
    reply.code(202)
    return result.duplicate ? { accepted: result.accepted, duplicate: true } : { accepted: result.accepted }
  })
}

function notify (ctx: AppContext, log: FastifyBaseLogger, batch: IngestedBatch): void {
  for (const listener of ctx.ingestListeners) {
    Promise.resolve().then(() => listener(batch)).catch((err: unknown) => {
      log.error({ err }, 'ingest listener failed')
    })
  }
}

function headerValue (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { TeknoError } from '../errors.js'
import { decodeBody, MAX_BODY_BYTES } from '../ingest/body.js'
import { checkTimestamp, verifySignature } from '../ingest/signature.js'
import { validateBatch } from '../ingest/validate.js'
import { effectiveLimit } from '../limits/sliding-window.js'
import { singleFlight } from '../single-flight.js'
import type { AppContext, IngestedBatch } from '../app.js'

/**
 * POST /api/log. Checks run cheapest first and each refusal stores nothing: encoding, key, the
 * IP limit, timestamp, signature over the raw wire bytes, decompression, parsing, validation;
 * then one transaction checks the project's event limit and stores the batch.
 */
export async function ingestRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config, store, limiter, metrics } = ctx
  // One client's concurrent batches carry the same key: while its row is being read, the others
  // wait for that read rather than each sending the same SELECT.
  const findProject = singleFlight((key) => store.projects.findByKey(key, ctx.now()))
  // Encapsulated: only this route sees the raw-buffer parser; the signature needs the exact bytes.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
    (_req, body, done) => { done(null, body) })

  // The project a refused request belonged to, once its key was found ('' before that).
  app.decorateRequest('teknoProjectId', '')
  app.addHook('onError', async (request, _reply, err) => {
    metrics.eventsRejected.inc({ reason: (err as { code?: string }).code ?? 'unknown', project_id: request.teknoProjectId })
    if ((err as { code?: string }).code === 'TEKNO_ERR_RATE_LIMITED') {
      metrics.rateLimited.inc({ scope: String((err as TeknoError).extra.scope) })
    }
  })

  app.post('/api/log', async (request, reply) => {
    const started = process.hrtime.bigint()
    const encoding = headerValue(request.headers['content-encoding'])?.toLowerCase()
    if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'identity') {
      throw new TeknoError('TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; use gzip or none`)
    }
    const key = headerValue(request.headers['x-tekno-key'])
    if (key === undefined || key === '') throw new TeknoError('TEKNO_ERR_MISSING_KEY')
    const project = await findProject(key)
    if (project === null) throw new TeknoError('TEKNO_ERR_UNKNOWN_KEY')
    request.teknoProjectId = String(project.id)

    const ipLimit = effectiveLimit(project.rate_limit_ip_requests_per_minute, config.rateLimitIpRequestsPerMinute)
    const ipAdmission = await limiter.admit('ip', request.ip, 1, ipLimit, ctx.now())

    const timestamp = headerValue(request.headers['x-tekno-timestamp'])
    if (checkTimestamp(timestamp, ctx.now()) !== 'ok') throw new TeknoError('TEKNO_ERR_STALE_TIMESTAMP')
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    if (!verifySignature(project.secrets, timestamp as string, raw, headerValue(request.headers['x-tekno-signature']))) {
      throw new TeknoError('TEKNO_ERR_BAD_SIGNATURE')
    }

    const receivedAt = ctx.now()
    const batch = validateBatch(await decodeBody(raw, encoding), receivedAt)
    // The project's event limit is counted in the transaction that stores the batch: a batch
    // counts if and only if it is stored, a retry of a stored batch is acknowledged whatever the
    // limit says, and no separate commit is paid for the count.
    const eventLimit = effectiveLimit(project.rate_limit_events_per_minute, config.rateLimitProjectEventsPerMinute)
    const result = await store.logs.insertBatch(project.id, batch.batchId, batch.events, receivedAt, eventLimit)
    if (result.overLimit === true) throw await limiter.refusal('project', String(project.id), batch.events.length, eventLimit, receivedAt)
    ctx.maintainer.poke()
    if (result.duplicate) {
      // Duplicates count against no limit: hand back the request the IP limit counted.
      await limiter.release(ipAdmission)
      reply.code(202)
      return { accepted: result.accepted, duplicate: true }
    }
    metrics.eventsAccepted.inc({ project_id: String(project.id) }, result.accepted)
    metrics.ingestDuration.observe(Number(process.hrtime.bigint() - started) / 1e9)
    if (ctx.ingestListeners.length > 0) {
      const ingested = { projectId: project.id, events: batch.events, receivedAt }
      // After the reply: listeners never add latency to, or fail, an accepted batch.
      reply.raw.once('finish', () => { notify(ctx, request.log, ingested) })
    }
    reply.code(202)
    return { accepted: result.accepted }
  })
}

function notify (ctx: AppContext, log: FastifyBaseLogger, batch: IngestedBatch): void {
  for (const listener of ctx.ingestListeners) {
    Promise.resolve().then(() => listener(batch)).catch((err: unknown) => {
      log.error({ err }, 'ingest listener failed')
    })
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    teknoProjectId: string
  }
}

function headerValue (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

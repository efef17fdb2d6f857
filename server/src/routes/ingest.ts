import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import { TeknoError } from '../errors.js'
import { decodeBody, MAX_BODY_BYTES } from '../ingest/body.js'
import { checkTimestamp, verifySignature } from '../ingest/signature.js'
import { validateBatch, type ValidBatch } from '../ingest/validate.js'
import { effectiveLimit } from '../limits/sliding-window.js'
import { singleFlight } from '../single-flight.js'
import type { AppContext, IngestedBatch } from '../app.js'
import type { ProjectCredentials } from '../storage/store.js'

/**
 * POST /api/log. A refusal stores nothing and names the first check that failed, in this order:
 * encoding, key, the IP limit, timestamp, signature over the raw wire bytes, decompression,
 * parsing, validation; then one transaction checks the project's event limit and stores the
 * batch. The key's row is read while the body arrives, and the IP limit's statement runs while
 * this thread checks the signature and the body: each is a round trip to the database (on SQLite
 * to another thread) that would otherwise come first.
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
  // The key's row is read while the body is still arriving. Only a read: a request refused before
  // the handler (413) has cost nothing else, and counts against no limit.
  app.decorateRequest('teknoProject', null)
  app.addHook('onRequest', async (request) => {
    const key = headerValue(request.headers['x-tekno-key'])
    if (key === undefined || key === '') return
    const lookup = findProject(key)
    lookup.catch(() => undefined)
    request.teknoProject = lookup
  })
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
    const project = await (request.teknoProject ?? findProject(key))
    if (project === null) throw new TeknoError('TEKNO_ERR_UNKNOWN_KEY')
    request.teknoProjectId = String(project.id)

    const ipLimit = effectiveLimit(project.rate_limit_ip_requests_per_minute, config.rateLimitIpRequestsPerMinute)
    const receivedAt = ctx.now()
    const admission = limiter.admit('ip', request.ip, 1, ipLimit, receivedAt)
    let batch: ValidBatch
    try {
      batch = await checkSigned(project.secrets, request, encoding, receivedAt)
    } catch (err) {
      await admission // an IP over its limit hears that first
      throw err
    }
    const ipAdmission = await admission
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

/**
 * The signature, then the body. Runs while the IP admission's statement is out: only a request
 * signed with the project's secret costs us a parse, and a refusal of the IP still answers first.
 */
async function checkSigned (secrets: string[], request: FastifyRequest, encoding: string | undefined, receivedAt: number): Promise<ValidBatch> {
  const timestamp = headerValue(request.headers['x-tekno-timestamp'])
  if (checkTimestamp(timestamp, receivedAt) !== 'ok') throw new TeknoError('TEKNO_ERR_STALE_TIMESTAMP')
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  if (!verifySignature(secrets, timestamp as string, raw, headerValue(request.headers['x-tekno-signature']))) {
    throw new TeknoError('TEKNO_ERR_BAD_SIGNATURE')
  }
  return validateBatch(await decodeBody(raw, encoding), receivedAt)
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
    teknoProject: Promise<ProjectCredentials | null> | null
  }
}

function headerValue (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

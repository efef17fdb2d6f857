import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance } from 'fastify'
import { ERRORS, StorageUnavailableError, TeknoError, type ErrorCode } from './errors.js'

export const STORAGE_RETRY_AFTER_SECONDS = 5

// Fastify's own refusals (body limit, content type, bad JSON) mapped onto our stable codes, so a
// client sees one error vocabulary whichever layer said no.
const FASTIFY_CODES: Record<number, ErrorCode> = {
  400: 'TEKNO_ERR_BAD_JSON',
  408: 'TEKNO_ERR_TIMEOUT',
  413: 'TEKNO_ERR_BODY_TOO_LARGE',
  415: 'TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE'
}

/**
 * Errors Node raises on the socket before any route runs (a body that arrives too slowly, a
 * malformed request line) still answer in our JSON vocabulary.
 */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, reason, code]: [number, string, ErrorCode] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout', 'TEKNO_ERR_TIMEOUT']
    : [400, 'Bad Request', 'TEKNO_ERR_BAD_REQUEST']
  const body = JSON.stringify({ code, message: ERRORS[code].message })
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}

export function installErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | TeknoError | StorageUnavailableError, request, reply) => {
    if (err instanceof TeknoError) {
      if (err.code === 'TEKNO_ERR_RATE_LIMITED') {
        const { scope, retry_after: retryAfter, limit, remaining } = err.extra
        // IETF RateLimit headers alongside Retry-After; the JSON body names the scope.
        reply.header('retry-after', String(retryAfter))
          .header('ratelimit-limit', String(limit))
          .header('ratelimit-remaining', String(remaining))
          .header('ratelimit-reset', String(retryAfter))
        return reply.code(429).send({ code: err.code, message: err.message, scope, retry_after: retryAfter })
      }
      return reply.code(err.statusCode).send(err.toJSON())
    }
    if (err instanceof StorageUnavailableError) {
      request.log.warn({ err }, 'storage unavailable')
      return reply.code(503).header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS))
        .send({ code: err.code, message: ERRORS.TEKNO_ERR_STORAGE_UNAVAILABLE.message, retry_after: STORAGE_RETRY_AFTER_SECONDS })
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500
    const code = FASTIFY_CODES[status]
    if (code !== undefined) {
      return reply.code(status).send({ code, message: err.message })
    }
    request.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ code: 'TEKNO_ERR_INTERNAL', message: ERRORS.TEKNO_ERR_INTERNAL.message })
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'TEKNO_ERR_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` })
  })
}

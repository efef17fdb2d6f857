import type { FastifyRequest } from 'fastify'
import '@fastify/cookie'
import { SESSION_COOKIE, type SessionCodec } from './session-token.js'

export const CSRF_HEADER = 'x-tekno-csrf'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * True when the browser says the request comes from this receiver's own page: the origin it was
 * addressed as, or PUBLIC_URL (a proxy may rewrite Host). A missing Origin on a state-changing
 * request is refused: every browser sends one with fetch() POSTs, so only forgeries lack it.
 */
export function fromOwnOrigin (request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin
  if (origin === undefined || origin === 'null') return false
  if (origin === `${request.protocol}://${request.host}`) return true
  try { return origin === new URL(publicUrl).origin } catch { return false }
}

export type SessionVerdict = 'none' | 'valid' | 'forbidden'

/**
 * Judges a request's dashboard session. 'none' lets the caller fall back to the bearer header;
 * 'forbidden' is a real session on a state-changing request without the CSRF token or from
 * another origin, which must be refused even though the cookie is good.
 */
export function judgeSession (request: FastifyRequest, codec: SessionCodec, publicUrl: string, now: number): SessionVerdict {
  const value = request.cookies?.[SESSION_COOKIE]
  if (value === undefined || codec.verify(value, now) === null) return 'none'
  if (SAFE_METHODS.has(request.method)) return 'valid'
  const csrf = request.headers[CSRF_HEADER]
  if (typeof csrf !== 'string' || !codec.checkCsrf(value, csrf)) return 'forbidden'
  return fromOwnOrigin(request, publicUrl) ? 'valid' : 'forbidden'
}

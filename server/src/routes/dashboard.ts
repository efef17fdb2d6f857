import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createAdminCheck } from '../admin/admin-token.js'
import { fromOwnOrigin, judgeSession } from '../dashboard/session-auth.js'
import { SignInThrottle } from '../dashboard/sign-in-throttle.js'
import { createSessionCodec, SESSION_COOKIE, SESSION_TTL_MS } from '../dashboard/session-token.js'
import { TeknoError } from '../errors.js'
import type { AppContext } from '../app.js'

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url))
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'))

/**
 * GET / (the dashboard's files), the chart library, and sign-in/sign-out. The page never holds
 * the admin token: it trades it once for an HttpOnly cookie that requireAdmin also accepts.
 */
export async function dashboardRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  const codec = createSessionCodec(ctx.config.adminToken)
  const isAdmin = createAdminCheck(ctx.config.adminToken)
  const throttle = new SignInThrottle()

  // Registered inside this plugin, so the headers cover the page and its files, not the JSON API.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"]
      }
    },
    // Self-hosted receivers often run on plain http inside a network; HSTS there would lock
    // the browser out, so it is left to the proxy that terminates TLS.
    strictTransportSecurity: false
  })

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/',
    wildcard: false,
    cacheControl: false,
    setHeaders: (reply) => { reply.header('cache-control', 'no-cache') }
  })
  await app.register(fastifyStatic, {
    root: UPLOT_DIR,
    prefix: '/vendor/uplot/',
    wildcard: false,
    decorateReply: false,
    allowedPath: (path) => path === '/uPlot.esm.js' || path === '/uPlot.min.css'
  })

  const secure = (request: FastifyRequest): boolean =>
    request.protocol === 'https' || ctx.config.publicUrl.startsWith('https:')

  const sessionAnswer = (value: string, expiresAt: number) =>
    ({ signed_in: true, csrf_token: codec.csrfFor(value), expires_at: new Date(expiresAt).toISOString() })

  app.get('/dashboard/session', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    const value = request.cookies[SESSION_COOKIE]
    const expiresAt = value === undefined ? null : codec.verify(value, ctx.now())
    if (value === undefined || expiresAt === null) return { signed_in: false }
    return sessionAnswer(value, expiresAt)
  })

  app.post<{ Body: { token?: unknown } }>('/dashboard/sign-in', async (request, reply) => {
    // Without this a hostile page could sign the browser into an attacker's receiver session.
    if (!fromOwnOrigin(request, ctx.config.publicUrl)) throw new TeknoError('TEKNO_ERR_CSRF')
    const now = ctx.now()
    const wait = throttle.waitMs(request.ip, now)
    if (wait > 0) throw tooManyAttempts(reply, wait)
    const token = typeof request.body?.token === 'string' ? request.body.token : ''
    if (!isAdmin(`Bearer ${token}`)) {
      const next = throttle.fail(request.ip, now)
      throw new TeknoError('TEKNO_ERR_UNAUTHORIZED', 'Wrong admin token',
        next > 0 ? { retry_after: Math.ceil(next / 1000) } : {})
    }
    throttle.succeed(request.ip)
    const session = codec.issue(now)
    reply.header('cache-control', 'no-store')
    reply.setCookie(SESSION_COOKIE, session.value, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(request),
      maxAge: SESSION_TTL_MS / 1000
    })
    return sessionAnswer(session.value, session.expiresAt)
  })

  app.post('/dashboard/sign-out', async (request, reply) => {
    // A forged sign-out is only a nuisance, but it is a state change: same rules as the rest.
    if (judgeSession(request, codec, ctx.config.publicUrl, ctx.now()) === 'forbidden') throw new TeknoError('TEKNO_ERR_CSRF')
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(request) })
    return { signed_in: false }
  })
}

function tooManyAttempts (reply: FastifyReply, waitMs: number): TeknoError {
  const seconds = Math.ceil(waitMs / 1000)
  reply.header('retry-after', String(seconds))
  return new TeknoError('TEKNO_ERR_RATE_LIMITED', 'Too many wrong admin tokens; wait before trying again',
    { scope: 'ip', retry_after: seconds })
}

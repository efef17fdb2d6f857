import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { AnswerCache } from '../dashboard/answer-cache.js'
import { minuteWindow, toMinuteSeries } from '../dashboard/minute-series.js'
import type { FingerprintStat, StatsScope } from '../storage/store.js'
import type { AppContext } from '../app.js'
import { parseInput } from '../parse-input.js'

const HOUR_MS = 3_600_000
// Top fingerprints reads the project's whole fingerprint index; the overview asks once a minute.
const FINGERPRINTS_CACHE_MS = 30_000
const iso = (ms: number): string => new Date(ms).toISOString()

const count = (max: number, fallback: number) =>
  z.string().regex(/^\d{1,6}$/, 'must be a whole number').transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be between 1 and ${max}`).default(fallback)

const querySchema = z.object({
  project_id: z.string().regex(/^\d{1,10}$/, 'must be a project id').transform(Number).optional(),
  minutes: count(24 * 60, 60),
  hours: count(72, 24),
  limit: count(100, 10)
})

function parseQuery (raw: unknown): StatsScope & { minutes: number, hours: number, limit: number } {
  const { project_id: projectId, ...rest } = parseInput(querySchema, raw, 'query')
  return projectId === undefined ? rest : { projectId, ...rest }
}

/**
 * Small read endpoints behind the admin token (or a dashboard session) for the overview. Each
 * answers one panel, so a slow aggregate never delays the others.
 */
export async function statsRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('preHandler', ctx.requireAdmin)
  const { stats } = ctx.store
  const fingerprintCache = new AnswerCache<{ from: number, to: number, rows: FingerprintStat[] }>(FINGERPRINTS_CACHE_MS)

  /** Events per minute by level, zero-filled, with the window's totals and error rate. */
  app.get('/api/stats/minutes', async (request) => {
    const q = parseQuery(request.query)
    const { from, to } = minuteWindow(ctx.now(), q.minutes)
    return toMinuteSeries(await stats.levelMinutes(q, from, to), from, to)
  })

  /** The loudest fingerprints of the last `hours` (default 24), with first and last seen; at most 30 s old. */
  app.get('/api/stats/fingerprints', async (request) => {
    const q = parseQuery(request.query)
    const now = ctx.now()
    const { from, to, rows } = await fingerprintCache.get(`${q.projectId ?? '*'}|${q.hours}|${q.limit}`, now, async () => {
      const to = now + 1
      const from = to - q.hours * HOUR_MS
      return { from, to, rows: await stats.topFingerprints(q, from, to, q.limit) }
    })
    return {
      from: iso(from),
      to: iso(to),
      fingerprints: rows.map((r) => ({ ...r, first_seen: iso(r.first_seen), last_seen: iso(r.last_seen) }))
    }
  })

  /** The newest error and fatal events of the last `hours`. */
  app.get('/api/stats/errors', async (request) => {
    const q = parseQuery(request.query)
    const since = ctx.now() - q.hours * HOUR_MS
    const rows = await stats.recentErrors(q, since, q.limit)
    return { errors: rows.map((r) => ({ ...r, ts: iso(r.ts) })) }
  })
}

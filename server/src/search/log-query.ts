import { z } from 'zod'
import { levelNumber } from '../ingest/levels.js'
import type { LogQuery } from '../storage/store.js'
import { parseInput } from '../parse-input.js'

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

/** ISO 8601 or epoch milliseconds, as CONTRACT.md allows for `from` and `to`. */
function parseInstant (value: string): number | undefined {
  if (/^\d{1,16}$/.test(value)) return Number(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

export function encodeCursor (pos: { ts: number, id: number }): string {
  return Buffer.from(`${pos.ts}.${pos.id}`).toString('base64url')
}

export function decodeCursor (cursor: string): { ts: number, id: number } | undefined {
  const m = /^(-?\d{1,16})\.(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString())
  return m === null ? undefined : { ts: Number(m[1]), id: Number(m[2]) }
}

const level = z.string().transform((v, ctx) => {
  const n = levelNumber(v)
  if (n === undefined) ctx.addIssue({ code: 'custom', message: `unknown level "${v}"` })
  return n as number
})
const instant = z.string().transform((v, ctx) => {
  const ms = parseInstant(v)
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be ISO 8601 or epoch milliseconds' })
  return ms as number
})

const querySchema = z.object({
  project_id: z.string().regex(/^\d{1,10}$/, 'must be a project id').transform(Number).optional(),
  level: z.string().transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(level).max(6)).optional(),
  min_level: level.optional(),
  q: z.string().max(200, 'at most 200 characters').optional(),
  source: z.string().max(255).optional(),
  fingerprint: z.string().max(64).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.string().regex(/^\d+$/, 'must be a positive whole number').transform(Number)
    .refine((n) => n >= 1, 'must be at least 1').optional(),
  cursor: z.string().max(64).transform((v, ctx) => {
    const pos = decodeCursor(v)
    if (pos === undefined) ctx.addIssue({ code: 'custom', message: 'is not a cursor this server issued' })
    return pos as { ts: number, id: number }
  }).optional()
})

/** Turns `GET /api/log` query parameters into a storage query, or a 400 that names the parameter. */
export function parseLogQuery (raw: unknown): LogQuery {
  const p = parseInput(querySchema, raw, 'query')
  const query: LogQuery = { limit: Math.min(p.limit ?? DEFAULT_LIMIT, MAX_LIMIT) }
  if (p.project_id !== undefined) query.projectId = p.project_id
  if (p.level !== undefined) query.levels = p.level
  if (p.min_level !== undefined) query.minLevel = p.min_level
  if (p.q !== undefined && p.q !== '') query.q = p.q
  if (p.source !== undefined) query.source = p.source
  if (p.fingerprint !== undefined) query.fingerprint = p.fingerprint
  if (p.from !== undefined) query.from = p.from
  if (p.to !== undefined) query.to = p.to
  if (p.cursor !== undefined) query.before = p.cursor
  return query
}

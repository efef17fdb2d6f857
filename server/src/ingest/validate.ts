import { z } from 'zod'
import { TeknoError } from '../errors.js'
import { sentJson } from './batch-json.js'
import { fingerprint } from './fingerprint.js'
import { levelNumber } from './levels.js'

export const MAX_EVENTS = 250
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000
export const LIMITS = { message: 65_536, stack: 131_072, source: 255, fingerprint: 64, batchId: 64, context: 131_072 }

/** One event as the storage adapters receive it: normalised, fingerprinted, ready to insert. */
export interface StoredEvent {
  ts: number
  level: number
  message: string
  source: string | null
  stack: string | null
  context: string | null
  fingerprint: string
}

const FINGERPRINT_RE = /^[\w.:-]{1,64}$/
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

// Lone surrogates are legal in JSON text but not in UTF-8 storage; refuse them rather than let
// MySQL and SQLite each mangle them differently.
const text = (max: number) => z.string().max(max, `at most ${max} characters`)
  .refine((s) => s.isWellFormed(), 'contains a lone UTF-16 surrogate')

/** The rules of one event (CONTRACT.md). Exported for the test that holds the quick check to it. */
export const eventSchema = z.object({
  ts: z.union([
    z.number().int('epoch milliseconds must be whole').nonnegative().max(8.64e15),
    z.string().regex(ISO_8601, 'must be ISO 8601').refine((s) => !Number.isNaN(parseIso(s)), 'is not a real date')
  ]).nullish(),
  level: z.union([z.string(), z.number()]).nullish()
    .refine((v) => v == null || levelNumber(v) !== undefined,
      'must be trace, debug, info, warn, error, fatal or 10, 20, 30, 40, 50, 60'),
  message: text(LIMITS.message),
  source: text(LIMITS.source).nullish(),
  stack: text(LIMITS.stack).nullish(),
  // A plain-object check, not z.record(): that copies every context key by key (0.2 ms a batch),
  // only for the copy to be serialised again straight away.
  context: z.custom<Record<string, unknown>>(isPlainObject, 'expected an object').nullish(),
  fingerprint: z.string().regex(FINGERPRINT_RE, 'must be 1-64 letters, digits, _ . : -').nullish()
})

const batchSchema = z.object({
  batch_id: z.string().min(1).max(LIMITS.batchId).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII').nullish(),
  events: z.array(z.unknown()).min(1, 'must hold at least one event')
})

function isPlainObject (v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

export interface ValidBatch {
  batchId: string | null
  events: StoredEvent[]
}

export function validateBatch (body: unknown, receivedAt: number): ValidBatch {
  const batch = batchSchema.safeParse(body)
  if (!batch.success) {
    const issue = batch.error.issues[0] as z.core.$ZodIssue
    throw new TeknoError('TEKNO_ERR_VALIDATION', `${issue.path.join('.') || 'body'}: ${issue.message}`,
      { field: issue.path.join('.') || null })
  }
  const raw = batch.data.events
  if (raw.length > MAX_EVENTS) {
    throw new TeknoError('TEKNO_ERR_TOO_MANY_EVENTS', `A batch holds at most ${MAX_EVENTS} events; this one has ${raw.length}`)
  }
  const events: StoredEvent[] = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i]
    // Nearly every event is valid: a direct check accepts it without zod (validateBatch on the
    // seed batch: 1.07 → 0.74 ms). Anything it is unsure of goes through the schema, which
    // decides and words the error.
    const ts = plainValidTs(e)
    if (ts !== undefined) {
      events[i] = normalise(e as EventInput, ts, receivedAt, i)
      continue
    }
    const parsed = eventSchema.safeParse(e)
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as z.core.$ZodIssue
      const field = issue.path.length > 0 ? issue.path.join('.') : 'event'
      throw new TeknoError('TEKNO_ERR_VALIDATION', `events[${i}].${field}: ${issue.message}`, { index: i, field })
    }
    events[i] = normalise(parsed.data, eventTs(parsed.data.ts), receivedAt, i)
  }
  return { batchId: batch.data.batch_id ?? null, events }
}

type EventInput = z.infer<typeof eventSchema>

const optionalText = (v: unknown, max: number): boolean =>
  v == null || (typeof v === 'string' && v.length <= max && v.isWellFormed())

/**
 * The event's timestamp (NaN for "none given") when `e` is a plain object the schema would
 * accept unchanged, else undefined. Only ever stricter than the schema: what it refuses, the
 * schema judges.
 */
function plainValidTs (e: unknown): number | undefined {
  if (!isPlainObject(e)) return undefined
  const { ts, level, message, source, stack, context, fingerprint } = e as Record<string, unknown>
  if (typeof message !== 'string' || message.length > LIMITS.message || !message.isWellFormed()) return undefined
  if (!optionalText(source, LIMITS.source) || !optionalText(stack, LIMITS.stack)) return undefined
  if (level != null && levelNumber(level) === undefined) return undefined
  if (context != null && !isPlainObject(context)) return undefined
  if (fingerprint != null && (typeof fingerprint !== 'string' || !FINGERPRINT_RE.test(fingerprint))) return undefined
  if (ts == null) return Number.NaN
  if (typeof ts === 'number') return Number.isInteger(ts) && ts >= 0 && ts <= 8.64e15 ? ts : undefined
  if (typeof ts !== 'string' || !ISO_8601.test(ts)) return undefined
  const parsed = parseIso(ts)
  return Number.isNaN(parsed) ? undefined : parsed
}

function eventTs (ts: EventInput['ts']): number {
  return ts == null ? Number.NaN : typeof ts === 'number' ? ts : parseIso(ts)
}

/**
 * A date-time without a zone is read as UTC, not in the server's local zone (Date.parse's rule),
 * so the stored instant never depends on where the receiver runs.
 */
export function parseIso (s: string): number {
  const zoneless = /[T ]\d{2}:\d{2}/.test(s) && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(s)
  return Date.parse(zoneless ? `${s.replace(' ', 'T')}Z` : s)
}

/** `ts` is the event's own timestamp, already parsed; NaN when it gave none. */
function normalise (e: EventInput, givenTs: number, receivedAt: number, index: number): StoredEvent {
  let ts = Number.isNaN(givenTs) ? receivedAt : givenTs
  let context: Record<string, unknown> | null = e.context ?? null
  if (ts > receivedAt + FUTURE_TOLERANCE_MS) {
    // A client with a fast clock must not lose its events to retention or hide them in the future.
    context = { ...context, tekno_original_ts: e.ts }
    ts = receivedAt
  }
  // The text it was sent as (a context rewritten above has none): JSON that parses to the same
  // object, so storing it saves serialising every context again. Text over the limit is judged,
  // and stored, compacted, as before: spacing alone never refuses an event.
  const sent = context === null ? undefined : sentJson(context)
  const contextJson = context === null ? null : sent !== undefined && sent.length <= LIMITS.context ? sent : JSON.stringify(context)
  if (contextJson !== null && contextJson.length > LIMITS.context) {
    throw new TeknoError('TEKNO_ERR_VALIDATION', `events[${index}].context: at most ${LIMITS.context} characters of JSON`,
      { index, field: 'context' })
  }
  const source = e.source ?? null
  const stack = e.stack ?? null
  return {
    ts,
    level: e.level == null ? 30 : levelNumber(e.level) as number,
    message: e.message,
    source,
    stack,
    context: contextJson,
    fingerprint: e.fingerprint ?? fingerprint(e.message, source, stack)
  }
}

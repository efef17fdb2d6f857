import { createHash } from 'node:crypto'
import t from 'tap'
import { eventSchema, FUTURE_TOLERANCE_MS, LIMITS, MAX_EVENTS, validateBatch } from '../../../server/dist/ingest/validate.js'
import { parseBatchJson } from '../../../server/dist/ingest/batch-json.js'
import { fingerprint } from '../../../server/dist/ingest/fingerprint.js'
import { levelName, levelNumber } from '../../../server/dist/ingest/levels.js'

// validateBatch: the event rules of CONTRACT.md as a pure function of the body and a receive time.

const RECEIVED = Date.parse('2026-11-27T22:50:51.123Z')
const one = (event: Record<string, unknown>) => validateBatch({ events: [event] }, RECEIVED).events[0]!
const refused = (index: number, field: string) => ({ code: 'TEKNO_ERR_VALIDATION', statusCode: 400, extra: { index, field } })

t.test('levels by name and by pino number', async (t) => {
  const cases: Array<[unknown, number]> = [
    ['trace', 10], ['debug', 20], ['info', 30], ['warn', 40], ['error', 50], ['fatal', 60],
    ['ERROR', 50], ['Warn', 40],
    [10, 10], [20, 20], [30, 30], [40, 40], [50, 50], [60, 60], ['50', 50],
    [undefined, 30], [null, 30]
  ]
  for (const [level, expected] of cases) {
    t.equal(one({ message: 'm', level }).level, expected, `level ${JSON.stringify(level)}`)
  }
  t.equal(levelName(50), 'error')
  t.equal(levelNumber('fatal'), 60)
})

t.test('a bad level refuses the batch, naming the index and field of the first bad event', async (t) => {
  // Names of Object.prototype's members once found a function there and passed as a level.
  for (const level of ['loud', 'warning', 35, 0, 70, '', true, 50.5, [50], { n: 50 }, 'constructor', '__proto__', 'hasownproperty', 'valueof']) {
    t.throws(() => validateBatch({ events: [{ message: 'ok' }, { message: 'ok' }, { message: 'bad', level }, { message: 'x', level: 'nope' }] }, RECEIVED),
      refused(2, 'level'), `level ${JSON.stringify(level)}`)
  }
})

t.test('ts as ISO 8601 or epoch milliseconds, milliseconds kept', async (t) => {
  const cases: Array<[unknown, number]> = [
    ['2026-11-27T22:50:51.123Z', Date.parse('2026-11-27T22:50:51.123Z')],
    ['2026-11-27T23:50:51.123+01:00', Date.parse('2026-11-27T22:50:51.123Z')],
    ['2026-11-27T22:50:51Z', Date.parse('2026-11-27T22:50:51.000Z')],
    [1764283800001, 1764283800001],
    [0, 0]
  ]
  for (const [ts, expected] of cases) {
    t.equal(one({ message: 'm', ts }).ts, expected, `ts ${JSON.stringify(ts)}`)
  }
})

t.test('a bad ts names its index and field', async (t) => {
  for (const ts of ['yesterday', '27/11/2026', '2026-13-45T99:00:00Z', 1.5, -1, true, {}]) {
    t.throws(() => validateBatch({ events: [{ message: 'ok' }, { message: 'bad', ts }] }, RECEIVED), refused(1, 'ts'), `ts ${JSON.stringify(ts)}`)
  }
})

t.test('a missing ts is the receive time', async (t) => {
  t.equal(one({ message: 'm' }).ts, RECEIVED)
  t.equal(one({ message: 'm', ts: null }).ts, RECEIVED)
})

t.test('a ts more than 5 minutes ahead is stored as the receive time, the original kept in context', async (t) => {
  t.equal(FUTURE_TOLERANCE_MS, 300_000)
  const edge = one({ message: 'm', ts: RECEIVED + FUTURE_TOLERANCE_MS })
  t.equal(edge.ts, RECEIVED + FUTURE_TOLERANCE_MS, 'exactly 5 minutes ahead is kept')
  t.equal(edge.context, null)

  const ahead = one({ message: 'm', ts: RECEIVED + FUTURE_TOLERANCE_MS + 1, context: { userId: 7 } })
  t.equal(ahead.ts, RECEIVED)
  t.same(JSON.parse(ahead.context!), { userId: 7, tekno_original_ts: RECEIVED + FUTURE_TOLERANCE_MS + 1 })

  const iso = '2027-01-01T00:00:00.000Z'
  const isoAhead = one({ message: 'm', ts: iso })
  t.equal(isoAhead.ts, RECEIVED)
  t.same(JSON.parse(isoAhead.context!), { tekno_original_ts: iso }, 'the original is kept as sent')

  const past = one({ message: 'm', ts: RECEIVED - 86_400_000 })
  t.equal(past.ts, RECEIVED - 86_400_000, 'the past is kept as sent')
})

t.test('oversized fields are refused with their name', async (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['message', { message: 'x'.repeat(LIMITS.message + 1) }],
    ['source', { message: 'm', source: 's'.repeat(LIMITS.source + 1) }],
    ['stack', { message: 'm', stack: 's'.repeat(LIMITS.stack + 1) }],
    ['context', { message: 'm', context: { blob: 'c'.repeat(LIMITS.context) } }],
    ['fingerprint', { message: 'm', fingerprint: 'f'.repeat(65) }]
  ]
  for (const [field, event] of cases) {
    t.throws(() => validateBatch({ events: [{ message: 'ok' }, event] }, RECEIVED), refused(1, field), field)
  }
  t.equal(one({ message: 'x'.repeat(LIMITS.message) }).message.length, LIMITS.message, 'the limit itself is accepted')
  t.equal(one({ message: 'm', source: 's'.repeat(LIMITS.source) }).source?.length, LIMITS.source)
})

t.test('shape errors: missing message, wrong types, lone surrogates', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['message', {}],
    ['message', { message: 42 }],
    ['message', { message: null }],
    ['message', { message: 'lone \ud800 surrogate' }],
    ['message', { message: 'reversed pair \udc00\ud800' }],
    ['source', { message: 'm', source: 'end \udbff' }],
    ['stack', { message: 'm', stack: ['a'] }],
    ['context', { message: 'm', context: 'a string' }],
    ['context', { message: 'm', context: [1, 2] }],
    ['fingerprint', { message: 'm', fingerprint: 'has spaces' }],
    ['event', 'a string'],
    ['event', null]
  ]
  for (const [field, event] of cases) {
    t.throws(() => validateBatch({ events: [event] }, RECEIVED), refused(0, field), `${field}: ${JSON.stringify(event)}`)
  }
  t.equal(one({ message: 'pair 😀 ok' }).message, 'pair 😀 ok', 'a well-formed surrogate pair is fine')
})

t.test('batch shape: events array, batch_id, 250 events', async (t) => {
  const bad: Array<[unknown, string | null]> = [
    [null, null],
    [[], null],
    [{}, 'events'],
    [{ events: 'x' }, 'events'],
    [{ events: [] }, 'events'],
    [{ events: [{ message: 'm' }], batch_id: '' }, 'batch_id'],
    [{ events: [{ message: 'm' }], batch_id: 'b'.repeat(65) }, 'batch_id'],
    [{ events: [{ message: 'm' }], batch_id: 'with space' }, 'batch_id'],
    [{ events: [{ message: 'm' }], batch_id: 7 }, 'batch_id']
  ]
  for (const [body, field] of bad) {
    t.throws(() => validateBatch(body, RECEIVED), { code: 'TEKNO_ERR_VALIDATION', statusCode: 400, extra: { field } }, JSON.stringify(body))
  }
  t.equal(validateBatch({ events: [{ message: 'm' }], batch_id: 'b'.repeat(64) }, RECEIVED).batchId, 'b'.repeat(64))
  t.equal(validateBatch({ events: [{ message: 'm' }] }, RECEIVED).batchId, null)
  t.equal(MAX_EVENTS, 250)
  const many = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ message: `e${i}` })) })
  t.equal(validateBatch(many(250), RECEIVED).events.length, 250)
  t.throws(() => validateBatch(many(251), RECEIVED), { code: 'TEKNO_ERR_TOO_MANY_EVENTS', statusCode: 413 })
})

t.test('fingerprint = SHA-1 hex of message \\n source \\n stack, unless the event brings its own', async (t) => {
  const sha1 = (s: string) => createHash('sha1').update(s).digest('hex')
  t.equal(one({ message: 'db timeout', source: 'api', stack: 'Error: x\n  at y' }).fingerprint, sha1('db timeout\napi\nError: x\n  at y'))
  t.equal(one({ message: 'db timeout' }).fingerprint, sha1('db timeout\n\n'), 'missing parts are empty strings')
  t.equal(one({ message: 'db timeout', source: null, stack: null }).fingerprint, sha1('db timeout\n\n'), 'null parts too')
  t.equal(one({ message: 'db timeout', stack: 'S' }).fingerprint, sha1('db timeout\n\nS'))
  t.equal(fingerprint('a', 'b', 'c'), sha1('a\nb\nc'))
  t.equal(one({ message: 'db timeout', fingerprint: 'checkout:timeout-1' }).fingerprint, 'checkout:timeout-1', 'client fingerprint kept')
})

t.test('normalised event keeps exact text: emoji, NUL, context JSON', async (t) => {
  const e = one({ message: 'a\u0000b 😀 𝄞', source: 'src', stack: 'st', context: { nested: { deep: [1, '🎉'] } } })
  t.equal(e.message, 'a\u0000b 😀 𝄞')
  t.equal(e.source, 'src')
  t.equal(e.stack, 'st')
  t.same(JSON.parse(e.context!), { nested: { deep: [1, '🎉'] } })
})

t.test('an ISO date-time without a zone is read as UTC, whatever the server zone', async (t) => {
  const { parseIso } = await import('../../../server/dist/ingest/validate.js')
  t.equal(parseIso('2026-11-27T22:50:51.123'), Date.UTC(2026, 10, 27, 22, 50, 51, 123))
  t.equal(parseIso('2026-11-27 22:50'), Date.UTC(2026, 10, 27, 22, 50))
  t.equal(parseIso('2026-11-27T22:50:51+02:00'), Date.UTC(2026, 10, 27, 20, 50, 51))
  t.equal(parseIso('2026-11-27'), Date.UTC(2026, 10, 27))
})

t.test('the quick check accepts exactly what the schema accepts, with the same stored event', async (t) => {
  // Events are checked directly first and only go through zod when that check is unsure; a
  // random mix of good and bad field values must get the same verdict either way.
  const values: Record<string, unknown[]> = {
    ts: [undefined, null, 0, 1764283800001, 8.64e15, 8.64e15 + 1, -1, 1.5, '2026-11-27T22:50:51.123Z', '2026-11-27',
      '2026-11-27 22:50', '2026-13-45T99:00:00Z', '2026-02-30', 'yesterday', true, {}],
    level: [undefined, null, 'info', 'ERROR', 50, '60', 35, 'constructor', '', [50]],
    message: ['m', '', 'x'.repeat(LIMITS.message), 'x'.repeat(LIMITS.message + 1), 'lone \ud800', 42, null, undefined],
    source: [undefined, null, 's', 's'.repeat(LIMITS.source + 1), 7],
    stack: [undefined, null, 'Error: x', ['a'], 'bad \udfff'],
    context: [undefined, null, {}, { a: 1 }, Object.create(null), [1], 'ctx', 3],
    fingerprint: [undefined, null, 'fp:1', 'has spaces', 'f'.repeat(65), 12],
    extra: [undefined, 'ignored']
  }
  let seed = 7
  const random = (): number => { // mulberry32: every combination turns up, unlike an LCG's low bits
    seed = (seed + 0x6d2b79f5) >>> 0
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T
  let accepted = 0
  const different: string[] = []
  for (let i = 0; i < 3000; i++) {
    const event: Record<string, unknown> = {}
    for (const [key, list] of Object.entries(values)) {
      const v = pick(list)
      if (v !== undefined || pick([true, false])) event[key] = v
    }
    const schema = eventSchema.safeParse(event)
    let stored
    try { stored = validateBatch({ events: [event] }, RECEIVED).events[0] } catch { stored = undefined }
    if (schema.success !== (stored !== undefined)) {
      t.fail(`verdicts differ for ${JSON.stringify(event).slice(0, 300)}: schema ${schema.success}`)
      return
    }
    if (schema.success) {
      accepted++
      // The schema's output (unknown keys stripped) must store the same event.
      const viaSchema = validateBatch({ events: [{ ...schema.data }] }, RECEIVED).events[0]
      if (JSON.stringify(stored) !== JSON.stringify(viaSchema)) different.push(JSON.stringify(event).slice(0, 300))
    }
  }
  t.same(different, [], 'the same stored event')
  t.ok(accepted > 50, `${accepted} of 3000 random events were valid`)
})

t.test('a context parsed from the body is stored as the text it was sent as, unless that would change the rules', async (t) => {
  const parsed = (events: string) => validateBatch(parseBatchJson(Buffer.from(`{"events":[${events}]}`)), RECEIVED).events
  const [sent, plain] = parsed('{"message":"a","context":{ "user" : 7, "tags":["x"] }},{"message":"b"}')
  t.equal(sent?.context, '{ "user" : 7, "tags":["x"] }', 'the sent text, spacing and all')
  t.equal(plain?.context, null)

  const [ahead] = parsed(`{"message":"a","ts":${RECEIVED + FUTURE_TOLERANCE_MS + 1},"context":{"user":7}}`)
  t.same(JSON.parse(ahead?.context as string), { user: 7, tekno_original_ts: RECEIVED + FUTURE_TOLERANCE_MS + 1 },
    'a context rewritten for a fast clock is serialised with its addition')

  // Spaced out past the limit, compact within it: judged (and stored) compact, as before.
  const blob = 'c'.repeat(LIMITS.context - 20)
  const [spaced] = parsed(`{"message":"a","context":{"blob"${' '.repeat(40)}:"${blob}"}}`)
  t.equal(spaced?.context, JSON.stringify({ blob }))
  t.throws(() => parsed(`{"message":"a","context":{"blob":"${blob}${'c'.repeat(20)}"}}`), refused(0, 'context'), 'over the limit either way: refused')
})

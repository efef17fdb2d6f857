import { gzipSync } from 'node:zlib'
import t from 'tap'
import { decodeBody, MAX_BODY_BYTES, MAX_DEPTH } from '../../../server/dist/ingest/body.js'
import { ERRORS } from '../../../server/dist/errors.js'

// decodeBody turns wire bytes into a JSON value or a stable refusal. Each refusal is checked by
// code and by the HTTP status that code maps to.

const refusal = (code: keyof typeof ERRORS) => ({ code, statusCode: ERRORS[code].status })
const nested = (depth: number): string => '['.repeat(depth - 1) + '{"a":1}' + ']'.repeat(depth - 1)

t.test('plain and gzip JSON decode to the same value', async (t) => {
  const value = { events: [{ message: 'héllo 🎉', context: { n: 1 } }] }
  const raw = Buffer.from(JSON.stringify(value))
  t.same(await decodeBody(raw, undefined), value)
  t.same(await decodeBody(gzipSync(raw), 'gzip'), value)
})

t.test('the gzip inflate cap answers 413, not memory', async (t) => {
  t.equal(MAX_BODY_BYTES, 512 * 1024)
  const exactly = Buffer.from(JSON.stringify({ m: 'a'.repeat(MAX_BODY_BYTES - 8) }))
  t.equal(exactly.length, MAX_BODY_BYTES)
  t.same(await decodeBody(gzipSync(exactly), 'gzip'), { m: 'a'.repeat(MAX_BODY_BYTES - 8) }, '512 KiB inflated is accepted')
  const over = Buffer.from(JSON.stringify({ m: 'a'.repeat(MAX_BODY_BYTES - 7) }))
  await t.rejects(decodeBody(gzipSync(over), 'gzip'), refusal('TEKNO_ERR_BODY_TOO_LARGE'), 'one byte over')
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))
  t.ok(bomb.length < 100 * 1024)
  await t.rejects(decodeBody(bomb, 'gzip'), refusal('TEKNO_ERR_BODY_TOO_LARGE'), '50 MiB bomb')
})

t.test('bytes that are not gzip under Content-Encoding: gzip are a 400', async (t) => {
  await t.rejects(decodeBody(Buffer.from('{"events":[]}'), 'gzip'), refusal('TEKNO_ERR_BAD_JSON'))
  const truncated = gzipSync(Buffer.from('{"events":[{"message":"x"}]}')).subarray(0, 12)
  await t.rejects(decodeBody(truncated, 'gzip'), refusal('TEKNO_ERR_BAD_JSON'), 'truncated gzip stream')
})

t.test('invalid UTF-8 is refused before parsing', async (t) => {
  const cases: Array<[string, Buffer]> = [
    ['lone continuation byte', Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d])],
    ['overlong encoding of "/"', Buffer.concat([Buffer.from('{"m":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['UTF-8-encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"m":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['truncated 4-byte sequence', Buffer.concat([Buffer.from('{"m":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('"}')])],
    ['Latin-1 é', Buffer.from('{"m":"\xe9"}', 'latin1')]
  ]
  for (const [name, raw] of cases) {
    await t.rejects(decodeBody(raw, undefined), refusal('TEKNO_ERR_BAD_ENCODING'), name)
  }
  await t.rejects(decodeBody(gzipSync(cases[0]![1]), 'gzip'), refusal('TEKNO_ERR_BAD_ENCODING'), 'also after gunzip')
})

t.test('malformed JSON is a 400 with its own code', async (t) => {
  for (const raw of ['', '{', '{"events": [}', "{'events': []}", '{"a":1}x']) {
    await t.rejects(decodeBody(Buffer.from(raw), undefined), refusal('TEKNO_ERR_BAD_JSON'), JSON.stringify(raw))
  }
})

t.test('prototype keys are hostile input, wherever they appear', async (t) => {
  const cases = [
    '{"__proto__": {"polluted": true}}',
    '{"events": [{"message": "x", "context": {"__proto__": {"polluted": true}}}]}',
    '{"events": [{"message": "x", "context": {"constructor": {"prototype": {"polluted": true}}}}]}',
    '{"constructor": {"prototype": {}}}',
    // Spelt with JSON escapes: no `__proto__` or `constructor` among the bytes, the same key once parsed.
    '{"events": [{"message": "x", "context": {"\\u005f_proto__": {"polluted": true}}}]}',
    '{"\\u005F\\u005Fproto\\u005f\\u005f": {"polluted": true}}',
    '{"constru\\u0063tor": {"prototype": {"polluted": true}}}'
  ]
  for (const raw of cases) {
    await t.rejects(decodeBody(Buffer.from(raw), undefined), refusal('TEKNO_ERR_HOSTILE_INPUT'), raw)
    await t.rejects(decodeBody(gzipSync(raw), 'gzip'), refusal('TEKNO_ERR_HOSTILE_INPUT'), `${raw}, gzipped`)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
  t.same(await decodeBody(Buffer.from('{"constructor": "a plain string key is fine"}'), undefined),
    { constructor: 'a plain string key is fine' })
  t.same(await decodeBody(Buffer.from('{"proto": 1, "prototype": 2}'), undefined), { proto: 1, prototype: 2 })
})

t.test('a leading UTF-8 byte-order mark is skipped', async (t) => {
  const value = { events: [{ message: 'x' }] }
  const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(value))])
  t.same(await decodeBody(raw, undefined), value)
  t.same(await decodeBody(gzipSync(raw), 'gzip'), value)
})

t.test(`nesting is capped at ${MAX_DEPTH} levels`, async (t) => {
  t.equal(MAX_DEPTH, 32)
  t.ok(await decodeBody(Buffer.from(nested(32)), undefined), '32 levels decode')
  await t.rejects(decodeBody(Buffer.from(nested(33)), undefined), refusal('TEKNO_ERR_HOSTILE_INPUT'), '33 levels')
  const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
  t.ok(await decodeBody(Buffer.from(objects(32)), undefined), '32 nested objects decode')
  await t.rejects(decodeBody(Buffer.from(objects(33)), undefined), refusal('TEKNO_ERR_HOSTILE_INPUT'), '33 nested objects')
  // Deep enough to overflow a recursive walk; the measure must still answer, not throw RangeError.
  await t.rejects(decodeBody(Buffer.from(nested(100_000)), undefined), { code: /^TEKNO_ERR_(HOSTILE_INPUT|BAD_JSON)$/ }, '100 000 levels')
})

t.test('JSON-escaped lone surrogates decode (validation decides about them)', async (t) => {
  const value = await decodeBody(Buffer.from('{"m":"\\ud800"}'), undefined) as { m: string }
  t.equal(value.m.length, 1)
  t.notOk(value.m.isWellFormed())
})

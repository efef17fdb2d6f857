import t, { type Test } from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { parseBatchJson, sentJson } from '../../../server/dist/ingest/batch-json.js'

// parseBatchJson may decline any body, but what it returns must be exactly JSON.parse's answer,
// and it must never return a value for text JSON.parse refuses.

const wholeParse = (text: string): { ok: true, value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text) }
  } catch {
    return { ok: false }
  }
}

function agrees (t: Test, text: string, name: string): unknown {
  const fast = parseBatchJson(Buffer.from(text))
  const whole = wholeParse(text)
  if (fast !== undefined) {
    t.ok(whole.ok && isDeepStrictEqual(fast, whole.value), `${name}: same value as JSON.parse`)
    t.equal(wrongSentTexts(fast), 0, `${name}: every context's sent text parses to that context`)
  }
  return fast
}

/** Contexts whose recorded text (validation stores it in place of JSON.stringify) parses to something else. */
function wrongSentTexts (body: unknown): number {
  let wrong = 0
  for (const e of (body as { events: Array<{ context?: unknown }> }).events) {
    if (e === null || typeof e !== 'object' || e.context === null || typeof e.context !== 'object') continue
    const text = sentJson(e.context)
    if (text !== undefined && !isDeepStrictEqual(JSON.parse(text), e.context)) wrong++
  }
  return wrong
}

/** The context text recorded for the first event of `body`. */
const firstSent = (text: string): string | undefined => {
  const body = parseBatchJson(Buffer.from(text)) as { events: Array<{ context: object }> }
  return sentJson(body.events[0]?.context as object)
}

const tricky = [
  { message: 'braces } { ] [ and "quotes" in a string', level: 'info' },
  { message: 'a backslash at the end \\', context: { path: 'C:\\dir\\', q: '\\"', deep: { a: [{ b: '}' }, [1, [2, { c: null }]]] } } },
  { message: 'unicode: é ü 漢字 😀 \u2028', source: 'svc', fingerprint: 'fp.1' },
  { message: 'escapes \n \t \u0000 \u001f', ts: 1732790000000, level: 50, stack: 'Error: x\n    at y' },
  { message: 'empty context', context: {} }
]

t.test('takes the shapes the transports and the bench send, with the same value', async (t) => {
  const events = tricky.map((e) => JSON.stringify(e)).join(',')
  const shapes = {
    transport: `{"batch_id":"b-1","events":[${events}]}`,
    bench: `{"events":[${events}],"batch_id":"b-2"}`,
    'no batch id': `{"events":[${events}]}`,
    'pretty-printed': JSON.stringify({ batch_id: 'b-3', events: tricky }, null, 2),
    'byte-order mark': `\uFEFF{"events":[${events}]}`,
    'empty events': '{"events":[]}',
    'whitespace everywhere': ` \r\n\t{ "events" : [ ${events} ] , "batch_id" : "b\\"4" } \n`
  }
  for (const [name, text] of Object.entries(shapes)) {
    t.not(agrees(t, text, name), undefined, `${name}: taken`)
  }
})

t.test('declines what it does not know, and JSON.parse decides', async (t) => {
  const cases = {
    'another key': '{"events":[{"message":"a"}],"extra":1}',
    'a prototype key': '{"__proto__":{"x":1},"events":[{"message":"a"}]}',
    'events twice': '{"events":[{"message":"a"}],"events":[{"message":"b"}]}',
    'an escaped key': '{"\\u0065vents":[{"message":"a"}]}',
    'a batch id that is not a string': '{"events":[{"message":"a"}],"batch_id":7}',
    'an event that is not an object': '{"events":[{"message":"a"},"b"]}',
    'no events': '{"batch_id":"x"}',
    'not an object': '[{"events":[]}]',
    'trailing text': '{"events":[{"message":"a"}]} x',
    'a trailing comma': '{"events":[{"message":"a"},]}',
    'events without a comma between them': '{"events":[{"message":"a"} {"message":"b"}]}',
    'events with a colon between them': '{"events":[{"message":"a"}:{"message":"b"}]}',
    'members without a comma between them': '{"batch_id":"x" "events":[{"message":"a"}]}',
    'cut short': '{"events":[{"message":"a"}',
    'an unterminated string': '{"events":[{"message":"a}]}',
    'a malformed event': '{"events":[{"message":"a",}]}',
    'a missing colon': '{"events" [{"message":"a"}]}',
    'an empty body': ''
  }
  for (const [name, text] of Object.entries(cases)) {
    t.equal(agrees(t, text, name), undefined, `${name}: declined`)
  }
})

t.test('records the text each context object was sent as, and only when sure which key JSON.parse kept', async (t) => {
  t.equal(firstSent('{"events":[{"message":"a","context":{"b":1}}]}'), '{"b":1}', 'compact')
  t.equal(firstSent('{"events":[{"message":"a","context" :\n { "b" : [1, {"c":"}"}] } ,"level":"info"}]}'), '{ "b" : [1, {"c":"}"}] }',
    'spaced, with braces in strings and nested objects: sent as is')
  t.equal(firstSent('{"events":[{"context":{"b":1},"message":"a","context":{"b":2}}]}'), '{"b":2}', 'a repeated key: the last, as JSON.parse keeps')
  t.equal(firstSent('{"events":[{"context":{"b":1},"message":"a","cont\\u0065xt":{"b":2}}]}'), undefined,
    'a key spelt with escapes (here "context" again): not recorded, so JSON.stringify decides')
  t.equal(firstSent('{"events":[{"message":"\\"context\\":{\\"x\\":1}","extra":{"context":{"y":2}},"context":{"z":3}}]}'), '{"z":3}',
    'a "context" inside a string or a nested object is not the event\'s')
  const two = parseBatchJson(Buffer.from('{"events":[{"message":"a","context":{"n":1}},{"message":"b"},{"message":"c","context":{"n":3}}]}')) as
    { events: Array<{ context?: object }> }
  t.same(two.events.map((e) => e.context === undefined ? null : sentJson(e.context)), ['{"n":1}', null, '{"n":3}'], 'each event its own')
  t.equal(sentJson({ b: 1 }), undefined, 'an object not parsed from a body has none')
})

t.test('never disagrees with JSON.parse on 3 000 damaged bodies', async (t) => {
  let seed = 12345
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed / 2 ** 32
  }
  const base = JSON.stringify({ batch_id: 'b', events: tricky })
  const bytes = '{}[]",:\\ ae0'
  let taken = 0
  let declinedValid = 0
  for (let n = 0; n < 3000; n++) {
    const chars = [...base]
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
      const at = Math.floor(rand() * chars.length)
      const op = rand()
      if (op < 0.4) chars.splice(at, 1)
      else if (op < 0.8) chars.splice(at, 0, bytes[Math.floor(rand() * bytes.length)] as string)
      else chars[at] = bytes[Math.floor(rand() * bytes.length)] as string
    }
    const text = chars.join('')
    const fast = parseBatchJson(Buffer.from(text))
    const whole = wholeParse(text)
    if (fast !== undefined) {
      taken++
      if (!whole.ok || !isDeepStrictEqual(fast, whole.value)) t.fail(`disagrees with JSON.parse on ${JSON.stringify(text)}`)
      if (wrongSentTexts(fast) > 0) t.fail(`records a context text that parses to another value on ${JSON.stringify(text)}`)
    } else if (whole.ok) {
      declinedValid++
    }
  }
  t.ok(taken > 100, `some damaged bodies are still valid batches and taken (${taken})`)
  t.comment(`${declinedValid} valid bodies declined (other shapes)`)
})

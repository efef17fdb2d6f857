import t, { type Test } from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { parseBatchJson } from '../../../server/dist/ingest/batch-json.js'

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
  }
  return fast
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
    } else if (whole.ok) {
      declinedValid++
    }
  }
  t.ok(taken > 100, `some damaged bodies are still valid batches and taken (${taken})`)
  t.comment(`${declinedValid} valid bodies declined (other shapes)`)
})

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

const EVENTS_KEY = Buffer.from('"events"')
const BATCH_ID_KEY = Buffer.from('"batch_id"')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])
const CONTEXT_KEY = Buffer.from('"context"')

/**
 * The JSON text each event's `context` object was parsed from, so validation can store that text
 * instead of serialising the object again: `JSON.stringify` of the seed batch's 200 contexts took
 * 1.25 ms on a 2-core VM, the slices 0.1 ms. Keyed by the object, so a context validation replaces
 * (a fast clock's `tekno_original_ts`) is never confused with what was sent.
 */
const sentTexts = new WeakMap<object, string>()

/**
 * The text `context` was parsed from, when parseBatchJson took the body: JSON that parses to an
 * object deep-equal to it, though perhaps spaced or escaped differently than `JSON.stringify`
 * would write it. Undefined for any other object.
 */
export function sentJson (context: object): string | undefined {
  return sentTexts.get(context)
}

/**
 * `JSON.parse` of a batch body, one event at a time, so the body never becomes one string.
 *
 * V8 keeps any string over 128 KiB in its large-object space, and making one there costs far
 * more than parsing it: on a 2-core VM, 1.1–1.4 ms for the 300 KB seed batch against 0.25–0.36 ms
 * for the `JSON.parse` itself. Each event's text is a small string, made in the young generation.
 *
 * Returns exactly what `JSON.parse` of the whole text would, or undefined for any body that is not
 * `{"events":[{…},…]}` with an optional `"batch_id"` string, in either order: the caller then
 * parses the whole text, which decides and words any error. Each piece goes through `JSON.parse`
 * and every byte between pieces is checked here against JSON's grammar, so a body this accepts
 * is valid JSON as a whole: finding the pieces needs no more than matching braces outside strings.
 * `bytes` must already be known to be UTF-8: no byte of a multi-byte character is ASCII, so a cut
 * at a brace or a comma never splits one.
 */
export function parseBatchJson (bytes: Buffer): unknown {
  let i = bytes.subarray(0, 3).equals(BOM) ? 3 : 0
  const end = bytes.length
  i = skipSpace(bytes, i, end)
  if (bytes[i] !== OPEN_BRACE) return undefined
  const body: { events?: unknown[], batch_id?: string } = {}
  for (;;) {
    i = skipSpace(bytes, i + 1, end)
    if (bytes[i] !== QUOTE) return undefined
    let key: 'events' | 'batch_id'
    if (startsWith(bytes, i, EVENTS_KEY) && body.events === undefined) {
      key = 'events'
      i += EVENTS_KEY.length
    } else if (startsWith(bytes, i, BATCH_ID_KEY) && body.batch_id === undefined) {
      key = 'batch_id'
      i += BATCH_ID_KEY.length
    } else {
      return undefined
    }
    i = skipSpace(bytes, i, end)
    if (bytes[i] !== COLON) return undefined
    i = skipSpace(bytes, i + 1, end)
    if (key === 'batch_id') {
      if (bytes[i] !== QUOTE) return undefined
      const close = stringEnd(bytes, i + 1, end)
      if (close < 0) return undefined
      const id = parsePiece(bytes, i, close + 1)
      if (id === undefined) return undefined
      body.batch_id = id as string
      i = close + 1
    } else {
      if (bytes[i] !== OPEN_BRACKET) return undefined
      const events = eventsFrom(bytes, i + 1, end)
      if (events === undefined) return undefined
      body.events = events.values
      i = events.next
    }
    i = skipSpace(bytes, i, end)
    if (bytes[i] === CLOSE_BRACE) break
    if (bytes[i] !== COMMA) return undefined
  }
  if (body.events === undefined || skipSpace(bytes, i + 1, end) !== end) return undefined
  return body
}

/** The elements of an array whose `[` is just before `i`, each an object; and the index after its `]`. */
function eventsFrom (bytes: Buffer, i: number, end: number): { values: unknown[], next: number } | undefined {
  const values: unknown[] = []
  i = skipSpace(bytes, i, end)
  if (bytes[i] === CLOSE_BRACKET) return { values, next: i + 1 }
  for (;;) {
    if (bytes[i] !== OPEN_BRACE) return undefined
    const close = objectEnd(bytes, i + 1, end)
    if (close < 0) return undefined
    const value = parsePiece(bytes, i, close + 1)
    if (value === undefined) return undefined
    if (contextSpan.start >= 0) {
      const context = (value as { context?: unknown }).context
      if (context !== null && typeof context === 'object') sentTexts.set(context, bytes.toString('utf8', contextSpan.start, contextSpan.end))
    }
    values.push(value)
    i = skipSpace(bytes, close + 1, end)
    if (bytes[i] === CLOSE_BRACKET) return { values, next: i + 1 }
    if (bytes[i] !== COMMA) return undefined
    i = skipSpace(bytes, i + 1, end)
  }
}

function parsePiece (bytes: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8', start, end))
  } catch {
    // Malformed, or nested past V8's stack: the whole text's parse says which.
    return undefined
  }
}

/**
 * Where objectEnd found the value of its object's own `"context"` key, an object: the last such
 * key, as `JSON.parse` keeps the last. `start` is -1 when there is none, or when a key spelt with
 * escapes (which could spell "context" too) leaves it unsure.
 */
const contextSpan = { start: -1, end: -1 }

/**
 * The index of the `}` closing an object whose `{` is just before `i`, or -1. Also sets
 * contextSpan, reading only bytes the walk passes anyway: after each string at depth 1, whether a
 * colon follows (it is a key) and whether that key is "context".
 */
function objectEnd (bytes: Buffer, i: number, end: number): number {
  let depth = 1
  let opened = -1
  let sure = true
  contextSpan.start = -1
  while (i < end) {
    const c = bytes[i] as number
    if (c === QUOTE) {
      const close = stringEnd(bytes, i + 1, end)
      if (close < 0) return -1
      if (depth === 1) {
        const next = skipSpace(bytes, close + 1, end)
        if (bytes[next] === COLON) {
          if (close - i + 1 === CONTEXT_KEY.length && startsWith(bytes, i, CONTEXT_KEY)) {
            const value = skipSpace(bytes, next + 1, end)
            opened = bytes[value] === OPEN_BRACE ? value : -1
          } else if (hasEscape(bytes, i + 1, close)) {
            sure = false
          }
        }
      }
      i = close
    } else if (c === OPEN_BRACE) {
      depth++
    } else if (c === CLOSE_BRACE) {
      depth--
      if (depth === 1 && opened >= 0) {
        contextSpan.start = opened
        contextSpan.end = i + 1
        opened = -1
      } else if (depth === 0) {
        if (!sure) contextSpan.start = -1
        return i
      }
    }
    i++
  }
  return -1
}

/** The index of the `"` closing a string that starts at `i` (just after its opening quote), or -1. */
function stringEnd (bytes: Buffer, i: number, end: number): number {
  for (;;) {
    const q = bytes.indexOf(QUOTE, i)
    if (q < 0 || q >= end) return -1
    // Escaped if an odd number of backslashes comes right before it.
    let slashes = 0
    while (bytes[q - 1 - slashes] === BACKSLASH) slashes++
    if (slashes % 2 === 0) return q
    i = q + 1
  }
}

function hasEscape (bytes: Buffer, i: number, end: number): boolean {
  for (; i < end; i++) if (bytes[i] === BACKSLASH) return true
  return false
}

function skipSpace (bytes: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i]
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i
    i++
  }
  return i
}

function startsWith (bytes: Buffer, i: number, prefix: Buffer): boolean {
  return bytes.length - i >= prefix.length && bytes.compare(prefix, 0, prefix.length, i, i + prefix.length) === 0
}

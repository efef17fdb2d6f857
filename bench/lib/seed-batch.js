// The seed batch: 200 events in about 300 KB, the size the transports send by default
// (200 events / 300 KB / 1 s). Deterministic, so every run and every target sends the same bytes.

export const SEED_EVENTS = 200
export const SEED_BYTES = 300_000
export const BENCH_SOURCE = 'tekno-bench'

const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug', 'info', 'fatal']
const WORDS = ('checkout payment cart session token upstream timeout retry cache miss replica lag ' +
  'queue backlog worker shard tenant invoice webhook render template socket reset handshake').split(' ')

/** A small seeded PRNG: the same batch on every machine. */
function prng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function words (rand, n) {
  const out = []
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)])
  return out.join(' ')
}

function stackOf (rand, message) {
  const frames = []
  for (let i = 0; i < 8; i++) {
    frames.push(`    at ${words(rand, 1)}${i} (/srv/app/src/${words(rand, 1)}/${words(rand, 1)}.js:${1 + Math.floor(rand() * 400)}:${1 + Math.floor(rand() * 80)})`)
  }
  return `Error: ${message}\n${frames.join('\n')}`
}

/**
 * `count` events whose JSON adds up to about `bytes`. The words of a message repeat every 40
 * events, but each message also carries its request number and a duration, so all 200 messages
 * (and fingerprints) of a batch differ, and the same 200 recur in every batch: each batch updates
 * 200 rows of the hourly fingerprint rollup, the costly end for it (a service that logs a fixed
 * message with its details in context would touch a few dozen).
 */
export function buildEvents ({ count = SEED_EVENTS, bytes = SEED_BYTES, now = Date.now(), source = BENCH_SOURCE, runId = 'local' } = {}) {
  const rand = prng(7)
  const events = []
  for (let i = 0; i < count; i++) {
    const kind = i % 40
    const level = LEVELS[i % LEVELS.length]
    const message = `${words(prng(kind + 1), 6)} (${kind}) request ${i} failed after ${Math.floor(rand() * 900)} ms`
    const e = {
      ts: new Date(now - (count - i)).toISOString(),
      level,
      message,
      source,
      context: {
        tekno_bench_run: runId,
        requestId: `req-${i.toString(16).padStart(8, '0')}`,
        userId: Math.floor(rand() * 100_000),
        route: `/api/${words(rand, 1)}/${words(rand, 1)}`,
        durationMs: Math.floor(rand() * 2000),
        pad: ''
      }
    }
    if (level === 'error' || level === 'fatal') e.stack = stackOf(prng(kind + 100), message)
    events.push(e)
  }
  // Pad the contexts evenly so the batch reaches the target size.
  const base = Buffer.byteLength(JSON.stringify({ events }))
  const perEvent = Math.max(0, Math.floor((bytes - base) / count))
  const filler = words(prng(99), Math.ceil(perEvent / 5) + 2).slice(0, perEvent)
  for (const e of events) e.context.pad = filler
  return events
}

/**
 * The body split around its batch id: `{"events":[…],"batch_id":"` + id + `"}`. The id comes last
 * so a signer can hash the long prefix once and only the few id bytes per request.
 */
export function batchTemplate (options = {}) {
  const events = buildEvents(options)
  const prefix = Buffer.from(`${JSON.stringify({ events }).slice(0, -1)},"batch_id":"`)
  return { events, count: events.length, prefix, bytes: prefix.length + 40, options, builtAt: Date.now() }
}

/** How long one set of timestamps is sent before the load generator builds a fresh one. */
export const TEMPLATE_REFRESH_MS = 100

/**
 * The same batch with timestamps that follow the clock, as a live transport's do. Sending one
 * frozen set of 200 timestamps for a whole run would make every batch land in the same 200 spots
 * of each (…, ts) index: a page-splitting pattern no real fleet produces, which cost SQLite
 * 2.5× its write time (measured). Rebuilding costs the load generator ~2 ms per 100 ms.
 */
export function freshTemplate (template, now = Date.now()) {
  if (template.options === undefined || now - template.builtAt < TEMPLATE_REFRESH_MS) return template
  return batchTemplate({ ...template.options, now })
}

/** The full body for one batch id (ids are printable ASCII, at most 64 characters). */
export function bodyFor (template, batchId) {
  return Buffer.concat([template.prefix, Buffer.from(`${batchId}"}`)])
}

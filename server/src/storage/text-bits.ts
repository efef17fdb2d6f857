// A trigram bitmap per (project, 10-minute bucket) of stored messages: the pre-filter that lets a
// `q` search skip every bucket that cannot hold a match, on both databases, without an n-gram
// index on `logs` (MariaDB has none for substrings). Pure functions; the SQL is in rollup-store.ts.
//
// Why it never hides a match (a superset, confirmed by the real LIKE afterwards): a LIKE match
// means lower(q) is a substring of lower(message), so every trigram of lower(q) is a trigram of
// lower(message). Only trigrams of three ASCII characters are used on either side; a character
// that is not ASCII after folding breaks a trigram instead of joining one. The two databases fold
// differently only where that matters here: MariaDB's LOWER() maps code point for code point
// (U+0130 → 'i', U+212A → 'k'); JavaScript's toLowerCase() (our SQLite lower) maps U+212A → 'k'
// too but expands U+0130 to 'i' + U+0307. Those are the only non-ASCII code points either folds
// to ASCII (checked over all of Unicode against MariaDB 10.11 and Node 20). So a message holding
// U+0130 is indexed under both foldings, and a query uses only trigrams both foldings of it share.

export const TEXT_BUCKET_MS = 600_000
/** Bits per bucket: 8 KiB. ~10 000 distinct trigrams in a bucket fill 14 % of it. */
export const TEXT_BITS = 65_536
const SHIFT = 32 - Math.log2(TEXT_BITS)
const BREAK = -1
const DOTTED_CAPITAL_I = 0x130
const KELVIN = 0x212a

export const textBucketOf = (ts: number): number => Math.floor(ts / TEXT_BUCKET_MS) * TEXT_BUCKET_MS

function bitOf (a: number, b: number, c: number): number {
  return Math.imul((a << 14) | (b << 7) | c, 0x9e3779b1) >>> SHIFT
}

/**
 * Calls `fn` with the bit of every trigram of `s` folded: ASCII lower-cased, U+212A as 'k',
 * U+0130 as 'i' (then, JavaScript's way, a break), anything else a break. UTF-16 code units are
 * enough: every unit of a non-ASCII code point is a break, and a break is a break.
 */
function eachTrigram (s: string, dotted: 'mysql' | 'js', fn: (bit: number) => void): void {
  let a = BREAK
  let b = BREAK
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    let after = false
    if (c < 0x80) { if (c >= 0x41 && c <= 0x5a) c += 32 } else if (c === KELVIN) c = 0x6b
    else if (c === DOTTED_CAPITAL_I) { c = 0x69; after = dotted === 'js' } else c = BREAK
    if (a !== BREAK && b !== BREAK && c !== BREAK) fn(bitOf(a, b, c))
    a = b
    b = c
    if (after) { a = b; b = BREAK }
  }
}

/** A fresh, empty bitmap. */
export const emptyBits = (): Uint8Array => new Uint8Array(TEXT_BITS / 8)

/** Ors the bits of `from` into `into`: two bitmaps from emptyBits (same length, aligned). */
export function orBits (into: Uint8Array, from: Uint8Array): void {
  const a = new Uint32Array(into.buffer, into.byteOffset, into.byteLength >>> 2)
  const b = new Uint32Array(from.buffer, from.byteOffset, from.byteLength >>> 2)
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) | (b[i] as number)
}

/** Sets the bits of every trigram of `message`. */
export function addMessage (bits: Uint8Array, message: string): void {
  const set = (bit: number): void => { bits[bit >>> 3] = (bits[bit >>> 3] as number) | (1 << (bit & 7)) }
  eachTrigram(message, 'js', set)
  if (message.includes('\u0130')) eachTrigram(message, 'mysql', set)
}

/**
 * The bits a bucket must have for `q` to match in it, or null when `q` has no usable trigram
 * (shorter than 3 characters, or mostly non-ASCII): such a search reads every bucket.
 */
export function queryBits (q: string): number[] | null {
  const js = new Set<number>()
  eachTrigram(q, 'js', (bit) => js.add(bit))
  const both = new Set<number>()
  eachTrigram(q, 'mysql', (bit) => { if (js.has(bit)) both.add(bit) })
  return both.size === 0 ? null : [...both].sort((a, b) => a - b)
}

/**
 * Whether a bucket may hold a match. An empty bitmap means "not indexed" (rows stored before
 * the index existed): it may hold anything.
 */
export function mayMatch (bits: Uint8Array, wanted: number[]): boolean {
  if (bits.length === 0) return true
  for (const bit of wanted) if (((bits[bit >>> 3] as number) & (1 << (bit & 7))) === 0) return false
  return true
}

/** `stored` with `added` or-ed in, or null when that changes nothing (or `stored` is "not indexed"). */
export function mergeBits (stored: Uint8Array, added: Uint8Array): Uint8Array | null {
  if (stored.length === 0) return null
  let merged: Uint8Array | null = null
  for (let i = 0; i < added.length; i++) {
    const a = added[i] as number
    const s = stored[i] as number
    if ((s | a) !== s) {
      merged ??= Uint8Array.from(stored)
      merged[i] = s | a
    }
  }
  return merged
}

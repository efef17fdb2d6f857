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

/** Folded code units: ASCII lower-cased, U+0130 as `dotted` says, U+212A as 'k', the rest BREAK. */
function fold (s: string, dotted: 'mysql' | 'js'): number[] {
  const out: number[] = []
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number
    if (cp < 0x80) out.push(cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp)
    else if (cp === KELVIN) out.push(0x6b)
    else if (cp === DOTTED_CAPITAL_I) { out.push(0x69); if (dotted === 'js') out.push(BREAK) } else out.push(BREAK)
  }
  return out
}

function bitOf (a: number, b: number, c: number): number {
  return Math.imul((a << 14) | (b << 7) | c, 0x9e3779b1) >>> SHIFT
}

function eachTrigram (codes: number[], fn: (bit: number) => void): void {
  for (let i = 2; i < codes.length; i++) {
    const a = codes[i - 2] as number
    const b = codes[i - 1] as number
    const c = codes[i] as number
    if (a !== BREAK && b !== BREAK && c !== BREAK) fn(bitOf(a, b, c))
  }
}

/** A fresh, empty bitmap. */
export const emptyBits = (): Uint8Array => new Uint8Array(TEXT_BITS / 8)

/** Sets the bits of every trigram of `message`. */
export function addMessage (bits: Uint8Array, message: string): void {
  const set = (bit: number): void => { bits[bit >>> 3] = (bits[bit >>> 3] as number) | (1 << (bit & 7)) }
  eachTrigram(fold(message, 'js'), set)
  if (message.includes('\u0130')) eachTrigram(fold(message, 'mysql'), set)
}

/**
 * The bits a bucket must have for `q` to match in it, or null when `q` has no usable trigram
 * (shorter than 3 characters, or mostly non-ASCII): such a search reads every bucket.
 */
export function queryBits (q: string): number[] | null {
  const js = new Set<number>()
  eachTrigram(fold(q, 'js'), (bit) => js.add(bit))
  const both = new Set<number>()
  eachTrigram(fold(q, 'mysql'), (bit) => { if (js.has(bit)) both.add(bit) })
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

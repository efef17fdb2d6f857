import t from 'tap'
import { addMessage, emptyBits, mayMatch, mergeBits, queryBits } from '../../../server/dist/storage/text-bits.js'

// The trigram pre-filter of text search must never hide a row the LIKE would return: whatever
// lower(message) contains, the bitmap must admit. Checked against the databases' own folding.

const bitsOf = (...messages: string[]): Uint8Array => {
  const bits = emptyBits()
  for (const m of messages) addMessage(bits, m)
  return bits
}
// What a case-insensitive substring search returns on SQLite (JS lower) or MariaDB (code point wise).
const mysqlLower = (s: string): string => [...s].map((c) => c === '\u0130' ? 'i' : c.toLowerCase()).join('')
const matches = (message: string, q: string): boolean =>
  message.toLowerCase().includes(q.toLowerCase()) || mysqlLower(message).includes(mysqlLower(q))

t.test('no usable trigram: null (the search reads every bucket)', async (t) => {
  for (const q of ['', 'a', 'ab', 'éèê', '日本語']) t.equal(queryBits(q), null, JSON.stringify(q))
  t.not(queryBits('abc'), null)
})

t.test('a superset: every message that matches is admitted', async (t) => {
  const messages = ['Connection RESET by peer', 'Ünïcödé über alles', 'KELVIN \u212Aelvin 273\u212A', 'İstanbul İSTANBUL',
    'wildcards 100% _done_ [x]', 'tab\there', 'emoji 🙂 smile', 'ΣΊΣΥΦΟΣ σίσυφος']
  const queries = ['reset by', 'connection reset', 'über', 'kelvin', 'kel', '273k', 'istanbul', 'İstanbul', 'i̇stanbul',
    '100%', '_done_', '[x]', 'b\th', 'emoji 🙂', '🙂 smile', 'σίσυφος', 'ΣΊΣΥΦΟΣ', 'ος σ']
  for (const m of messages) {
    const bits = bitsOf(m)
    for (const q of queries) {
      const wanted = queryBits(q)
      if (wanted !== null && matches(m, q)) t.ok(mayMatch(bits, wanted), `${JSON.stringify(m)} admits ${JSON.stringify(q)}`)
    }
  }
})

t.test('a random mix of messages: all matches admitted, most misses filtered', async (t) => {
  let seed = 1
  const rand = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n }
  const words = 'checkout payment upstream timeout retry cache miss replica lag queue worker shard tenant'.split(' ')
  const message = (): string => Array.from({ length: 6 }, () => words[rand(words.length)]).join(' ') + ` ${rand(10_000)}`
  const messages = Array.from({ length: 400 }, message)
  const bits = bitsOf(...messages)
  let admitted = 0
  for (let i = 0; i < 200; i++) {
    const q = i % 2 === 0 ? (messages[rand(400)] as string).slice(rand(10), 20) : `zz${rand(10_000)}q`
    const wanted = queryBits(q)
    if (wanted === null) continue
    if (messages.some((m) => matches(m, q))) t.ok(mayMatch(bits, wanted), q)
    else if (mayMatch(bits, wanted)) admitted++
  }
  t.ok(admitted < 10, `false positives: ${admitted} of 100`)
})

t.test('an empty bitmap is "not indexed": it admits everything and absorbs merges', async (t) => {
  t.ok(mayMatch(new Uint8Array(0), queryBits('anything') as number[]))
  t.equal(mergeBits(new Uint8Array(0), bitsOf('new text')), null)
})

t.test('mergeBits: null when nothing is new, else the union', async (t) => {
  const a = bitsOf('alpha beta')
  t.equal(mergeBits(a, bitsOf('alpha')), null)
  const merged = mergeBits(a, bitsOf('gamma')) as Uint8Array
  t.ok(mayMatch(merged, queryBits('alpha beta') as number[]))
  t.ok(mayMatch(merged, queryBits('gamma') as number[]))
  t.notOk(mayMatch(a, queryBits('gamma') as number[]), 'the stored bitmap is not modified')
})

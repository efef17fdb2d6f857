import t from 'tap'
import { addMessage, emptyBits, queryBits } from '../../../server/dist/storage/text-bits.js'
import { mustRead, textRanges, type MinuteText } from '../../../server/dist/storage/text-minutes.js'

// Which minutes of a matching 10-minute bucket a text search reads: every minute that may hold a
// match, none that cannot, as few ranges as possible, newest first.

const M = 60_000
const T0 = Date.UTC(2026, 10, 28, 9, 0, 0)
const wanted = queryBits('kangaroo') as number[]

const bitsOf = (...messages: string[]): Uint8Array => {
  const bits = emptyBits()
  for (const m of messages) addMessage(bits, m)
  return bits
}
const minute = (projectId: number, i: number, messages: string[], counts: { n?: number, indexed?: number } = {}): MinuteText => {
  const n = counts.n ?? messages.length
  return { projectId, minute: T0 + i * M, n, indexed: counts.indexed ?? n, bits: bitsOf(...messages) }
}

t.test('mustRead: the bitmap decides, unless some events are in no bitmap', async (t) => {
  t.ok(mustRead(minute(1, 0, ['a kangaroo hops']), wanted), 'admitted by its bitmap')
  t.notOk(mustRead(minute(1, 0, ['a wombat digs']), wanted), 'refused by its bitmap')
  t.ok(mustRead(minute(1, 0, ['a wombat digs'], { n: 3, indexed: 1 }), wanted), 'two events no bitmap knows of: read')
  t.ok(mustRead(minute(1, 0, [], { n: 4, indexed: 0 }), wanted), 'stored before the minute bitmaps (indexed 0)')
  t.ok(mustRead({ projectId: 1, minute: T0, n: 2, indexed: 2, bits: null }, wanted), 'events and no bitmap row')
  t.ok(mustRead({ projectId: 1, minute: T0, n: 2, indexed: 2, bits: new Uint8Array(0) }, wanted), 'an empty bitmap means not indexed')
  t.notOk(mustRead({ projectId: 1, minute: T0, n: 0, indexed: 0, bits: null }, wanted), 'no events')
})

t.test('one project: adjacent minutes run together, newest first, gaps split', async (t) => {
  const minutes = [
    minute(1, 0, ['kangaroo 0']),
    minute(1, 1, ['kangaroo 1']),
    minute(1, 2, ['nothing here']),
    minute(1, 3, ['kangaroo 3']),
    minute(1, 4, ['old'], { n: 2, indexed: 1 }),
    minute(1, 9, ['kangaroo 9'])
  ]
  t.same(textRanges(minutes, wanted, true), [
    { from: T0 + 9 * M, to: T0 + 10 * M, projectId: 1 },
    { from: T0 + 3 * M, to: T0 + 5 * M, projectId: 1 },
    { from: T0, to: T0 + 2 * M, projectId: 1 }
  ])
})

t.test('every project: a minute one project can match in is read for it alone, one with several for all', async (t) => {
  const minutes = [
    minute(1, 0, ['kangaroo']), minute(2, 0, ['wombat']),
    minute(1, 1, ['kangaroo']), minute(2, 1, ['kangaroo']),
    minute(1, 2, ['kangaroo']), minute(2, 2, ['kangaroo']),
    minute(1, 3, ['emu']), minute(2, 3, ['kangaroo']),
    minute(1, 4, ['emu']), minute(2, 4, ['emu'])
  ]
  t.same(textRanges(minutes, wanted, false), [
    { from: T0 + 3 * M, to: T0 + 4 * M, projectId: 2 },
    { from: T0 + M, to: T0 + 3 * M, projectId: null },
    { from: T0, to: T0 + M, projectId: 1 }
  ])
})

t.test('nothing can match: no range', async (t) => {
  t.same(textRanges([minute(1, 0, ['wombat']), minute(2, 5, ['emu'])], wanted, false), [])
  t.same(textRanges([], wanted, true), [])
})

import t from 'tap'
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT, parseLogQuery } from '../../../server/dist/search/log-query.js'

// GET /api/log query parameters → storage query, or a 400 naming the parameter.

const bad = (field: string) => ({ code: 'TEKNO_ERR_BAD_QUERY', statusCode: 400, extra: { field } })

t.test('limit: default 100, larger values cut to 1000', async (t) => {
  t.equal(DEFAULT_LIMIT, 100)
  t.equal(MAX_LIMIT, 1000)
  t.same(parseLogQuery({}), { limit: 100 })
  t.same(parseLogQuery(undefined), { limit: 100 })
  t.equal(parseLogQuery({ limit: '1' }).limit, 1)
  t.equal(parseLogQuery({ limit: '1000' }).limit, 1000)
  t.equal(parseLogQuery({ limit: '1001' }).limit, 1000)
  t.equal(parseLogQuery({ limit: '999999999' }).limit, 1000)
  t.equal(parseLogQuery({ limit: '99999999999999999999' }).limit, 1000, 'however large: cut, not refused')
  for (const limit of ['0', '-5', 'ten', '1.5', '']) t.throws(() => parseLogQuery({ limit }), bad('limit'), `limit ${JSON.stringify(limit)}`)
})

t.test('level: one level or a comma list, names or numbers; min_level', async (t) => {
  t.same(parseLogQuery({ level: 'error' }).levels, [50])
  t.same(parseLogQuery({ level: 'error,fatal' }).levels, [50, 60])
  t.same(parseLogQuery({ level: 'warn, 60' }).levels, [40, 60])
  t.same(parseLogQuery({ level: 'ERROR' }).levels, [50])
  t.equal(parseLogQuery({ min_level: 'warn' }).minLevel, 40)
  t.equal(parseLogQuery({ min_level: '50' }).minLevel, 50)
  t.throws(() => parseLogQuery({ level: 'error,loud' }), bad('level'))
  t.throws(() => parseLogQuery({ min_level: 'loud' }), bad('min_level'))
  t.throws(() => parseLogQuery({ min_level: '35' }), bad('min_level'))
})

t.test('from and to: ISO 8601 or epoch milliseconds', async (t) => {
  const ms = Date.parse('2026-11-27T22:50:51.123Z')
  t.equal(parseLogQuery({ from: '2026-11-27T22:50:51.123Z' }).from, ms)
  t.equal(parseLogQuery({ from: String(ms) }).from, ms)
  t.equal(parseLogQuery({ to: '2026-11-27T23:50:51.123+01:00' }).to, ms)
  t.equal(parseLogQuery({ to: String(ms) }).to, ms)
  for (const v of ['yesterday', 'now', '2026-99-99T00:00:00Z', '-1', '12abc']) {
    t.throws(() => parseLogQuery({ from: v }), bad('from'), `from ${v}`)
    t.throws(() => parseLogQuery({ to: v }), bad('to'), `to ${v}`)
  }
})

t.test('text filters pass through; an empty q is no filter', async (t) => {
  t.same(parseLogQuery({ project_id: '7', q: 'École 100%', source: 'api', fingerprint: 'abc' }),
    { limit: 100, projectId: 7, q: 'École 100%', source: 'api', fingerprint: 'abc' })
  t.same(parseLogQuery({ q: '' }), { limit: 100 })
  t.throws(() => parseLogQuery({ project_id: 'seven' }), bad('project_id'))
  t.throws(() => parseLogQuery({ q: 'q'.repeat(201) }), bad('q'))
})

t.test('cursor: round-trips, and anything else is a 400', async (t) => {
  const pos = { ts: 1764283851123, id: 42 }
  const cursor = encodeCursor(pos)
  t.same(decodeCursor(cursor), pos)
  t.same(parseLogQuery({ cursor }).before, pos)
  for (const c of ['garbage', Buffer.from('1.2.3').toString('base64url'), Buffer.from('abc.1').toString('base64url'), 'x'.repeat(65), '']) {
    t.throws(() => parseLogQuery({ cursor: c }), bad('cursor'), `cursor ${JSON.stringify(c)}`)
  }
})

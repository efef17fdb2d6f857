import t from 'tap'
import { minuteWindow, toMinuteSeries } from '../../server/dist/dashboard/minute-series.js'

t.test('the window ends after the current minute and counts whole minutes', async (t) => {
  const now = Date.UTC(2026, 0, 1, 12, 30, 45)
  t.same(minuteWindow(now, 60), { from: Date.UTC(2026, 0, 1, 11, 31), to: Date.UTC(2026, 0, 1, 12, 31) })
})

t.test('quiet minutes are zeros, totals and error rate add up', async (t) => {
  const from = Date.UTC(2026, 0, 1, 12, 0)
  const series = toMinuteSeries([
    { minute: from, level: 'info', count: 6 },
    { minute: from + 120_000, level: 'error', count: 3 },
    { minute: from + 120_000, level: 'fatal', count: 1 },
    { minute: from + 999_999_999, level: 'info', count: 100 }
  ], from, from + 180_000)
  t.equal(series.minutes.length, 3)
  t.same(series.minutes[1], { ts: '2026-01-01T12:01:00.000Z', trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0 })
  t.equal(series.minutes[2]?.error, 3)
  t.same(series.totals, { events: 10, errors: 4, error_rate: 0.4 })
  t.same(toMinuteSeries([], from, from + 60_000).totals, { events: 0, errors: 0, error_rate: 0 })
})

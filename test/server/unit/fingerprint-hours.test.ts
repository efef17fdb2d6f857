import t from 'tap'
import { hourWindow, probe } from '../../../server/dist/storage/fingerprint-hours.js'

// The hours one read of the fingerprint walk probes, and the primary-key probe's WHERE.

const H = 3_600_000
const T0 = Date.UTC(2026, 10, 29, 6, 0, 0)

t.test('a window is up to `size` hours from the top down, none below the floor', async (t) => {
  t.same(hourWindow(T0, -Infinity, 3), [T0, T0 - H, T0 - 2 * H])
  t.same(hourWindow(T0, T0 - H, 24), [T0, T0 - H], 'the floor is inclusive')
  t.same(hourWindow(T0, T0, 24), [T0], 'the top alone')
  t.same(hourWindow(T0, T0 + H, 24), [], 'a top below the floor')
  t.equal(hourWindow(T0, -Infinity, 168).length, 168)
})

t.test('the probe seeks each (project, hour) with the fingerprint', async (t) => {
  t.same(probe([3, 5], [T0, T0 - H], 'fp'), {
    where: 'project_id IN (?, ?) AND hour IN (?, ?) AND fingerprint = ?',
    params: [3, 5, T0, T0 - H, 'fp']
  })
})

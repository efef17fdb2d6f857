import t from 'tap'
import { hourWindow, probe, sightingsByHour } from '../../../server/dist/storage/fingerprint-hours.js'

// The hours one read of the fingerprint walk probes, the primary-key probe's WHERE, and what its
// rows say about each hour.

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

t.test('sightings: one per hour, newest first, across the projects that had the fingerprint', async (t) => {
  t.same(sightingsByHour([
    { project_id: 1, hour: T0 - H, first_seen: T0 - H + 10, last_seen: T0 - H + 20 },
    { project_id: 2, hour: T0, first_seen: T0 + 500, last_seen: T0 + 900 },
    { project_id: 1, hour: T0, first_seen: T0 + 700, last_seen: T0 + 1200 }
  ]), [
    { hour: T0, first: T0 + 500, last: T0 + 1200, projects: [2, 1] },
    { hour: T0 - H, first: T0 - H + 10, last: T0 - H + 20, projects: [1] }
  ])
  t.same(sightingsByHour([]), [], 'nothing probed, nothing seen')
})

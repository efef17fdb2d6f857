import { HOUR_MS } from './rollup-rows.js'
import { placeholders, type SqlRunner, type SqlValue } from './sql-runner.js'

// "In which hours does fingerprint F occur?" (the /api/logs fingerprint filter, alerting's "seen
// before?") answered from the hourly fingerprint rollup's primary key (project_id, hour,
// fingerprint), probed once per hour, instead of from an index that starts with the fingerprint.
// That index (added by migration 005, dropped by 009) put a second entry at a random place for every new
// fingerprint of every hour: with messages that carry ids, every event. Retention keeps a few
// dozen hours, so the probes are few.

/**
 * Up to `size` hours from `top` down, none below `floor`: the hours one read probes. Pure.
 * Hours with no rows cost a probe that finds nothing.
 */
export function hourWindow (top: number, floor: number, size: number): number[] {
  const hours: number[] = []
  for (let h = top; h >= floor && hours.length < size; h -= HOUR_MS) hours.push(h)
  return hours
}

/** (project, hour) pairs one probe statement seeks at most: both planners hold every pair in memory. */
export const MAX_PROBES = 480

/**
 * The newest hour below `below` (exclusive; undefined: no bound) in which the project has rollup
 * rows, or null. A seek down the primary key, so a stretch of empty hours (an event sent with an
 * ancient ts, kept until the next purge) costs one seek, not one probe per hour.
 */
async function newestHour (db: SqlRunner, projectId: number, below: number | undefined): Promise<number | null> {
  const rows = await db.all<{ h: number | null }>(
    `SELECT MAX(hour) AS h FROM log_fingerprint_hours WHERE project_id = ?${below === undefined ? '' : ' AND hour < ?'}`,
    below === undefined ? [projectId] : [projectId, below])
  const h = rows[0]?.h
  return h === null || h === undefined ? null : Number(h)
}

export interface HourWalk {
  /** The projects whose rows count; none: the walk yields nothing. */
  projects: number[]
  /** Only hours before this (exclusive); undefined: every hour. */
  below?: number
  /** Only hours from this one (inclusive); undefined: every hour. */
  floor?: number
  /** Hours probed per read. */
  size: number
}

export interface HourWindow {
  /** Newest first. */
  hours: number[]
  /** The projects with rows among these hours, in groups of at most MAX_PROBES / hours pairs. */
  groups: number[][]
}

/**
 * The hours holding rollup rows of `walk.projects`, newest first, `walk.size` at a time, each
 * with the projects that have rows there, to probe with `probe()`. A project is sought again only
 * after a window it had rows in. The caller stops when it has what it needs.
 */
export async function * hourWindows (db: SqlRunner, walk: HourWalk): AsyncGenerator<HourWindow> {
  const floor = walk.floor ?? -Infinity
  const tops = new Map<number, number | null>()
  const seek = (projects: number[], below: number | undefined) =>
    Promise.all(projects.map(async (p) => { tops.set(p, await newestHour(db, p, below)) }))
  await seek(walk.projects, walk.below)
  for (;;) {
    const live = [...tops.values()].filter((h): h is number => h !== null && h >= floor)
    if (live.length === 0) return
    const hours = hourWindow(Math.max(...live), floor, walk.size)
    const lowest = hours[hours.length - 1] as number
    const present = walk.projects.filter((p) => (tops.get(p) ?? -Infinity) >= lowest)
    yield { hours, groups: chunk(present, Math.max(1, Math.floor(MAX_PROBES / hours.length))) }
    await seek(present, lowest)
  }
}

function chunk<T> (xs: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

/**
 * The WHERE clause that seeks `fingerprint` in exactly these projects and hours on the primary
 * key: both planners turn the two IN lists and the equality into one seek per (project, hour).
 */
export function probe (projects: number[], hours: number[], fingerprint: string): { where: string, params: SqlValue[] } {
  return {
    where: `project_id IN (${placeholders(projects.length)}) AND hour IN (${placeholders(hours.length)}) AND fingerprint = ?`,
    params: [...projects, ...hours, fingerprint]
  }
}

export interface ProbedRow { project_id: number, hour: number, first_seen: number, last_seen: number }

export interface Sighting {
  hour: number
  /** The first and last time the fingerprint was seen in the hour, across the projects. */
  first: number
  last: number
  /** The projects that had it in the hour. */
  projects: number[]
}

/** The probes' rows of one window as one sighting per hour, newest first. Pure. */
export function sightingsByHour (rows: ProbedRow[]): Sighting[] {
  const byHour = new Map<number, Sighting>()
  for (const r of rows) {
    const hour = Number(r.hour)
    const seen = byHour.get(hour)
    if (seen === undefined) {
      byHour.set(hour, { hour, first: Number(r.first_seen), last: Number(r.last_seen), projects: [Number(r.project_id)] })
    } else {
      seen.first = Math.min(seen.first, Number(r.first_seen))
      seen.last = Math.max(seen.last, Number(r.last_seen))
      seen.projects.push(Number(r.project_id))
    }
  }
  return [...byHour.values()].sort((a, b) => b.hour - a.hour)
}

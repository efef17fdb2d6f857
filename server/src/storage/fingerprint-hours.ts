import { HOUR_MS } from './rollup-rows.js'
import { placeholders, type SqlRunner, type SqlValue } from './sql-runner.js'

// "In which hours does fingerprint F occur?" (the /api/logs fingerprint filter, alerting's "seen
// before?") answered from the hourly fingerprint rollup's primary key (project_id, hour,
// fingerprint), probed once per hour, instead of from an index that starts with the fingerprint.
// That index (migrations 005, dropped in 009) put a second entry at a random place for every new
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

/**
 * The newest hour below `below` (exclusive; undefined: no bound) in which any of `projects` has
 * rollup rows, or null. One MAX per project, each a seek down the primary key, so a stretch of
 * empty hours (an event sent with an ancient ts, kept until the next purge) costs one seek, not
 * one probe per hour.
 */
async function newestHour (db: SqlRunner, projects: number[], below: number | undefined): Promise<number | null> {
  const bound = below === undefined ? '' : ' AND hour < ?'
  const tops = await Promise.all(projects.map(async (projectId) => {
    const rows = await db.all<{ h: number | null }>(`SELECT MAX(hour) AS h FROM log_fingerprint_hours WHERE project_id = ?${bound}`,
      below === undefined ? [projectId] : [projectId, below])
    return rows[0]?.h ?? null
  }))
  const found = tops.filter((h): h is number => h !== null).map(Number)
  return found.length === 0 ? null : Math.max(...found)
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

/**
 * The hours holding rollup rows of `walk.projects`, newest first, `walk.size` at a time, as
 * windows to probe with `probe()`. The caller stops when it has what it needs.
 */
export async function * hourWindows (db: SqlRunner, walk: HourWalk): AsyncGenerator<number[]> {
  if (walk.projects.length === 0) return
  const floor = walk.floor ?? -Infinity
  let below = walk.below
  for (;;) {
    const top = await newestHour(db, walk.projects, below)
    if (top === null || top < floor) return
    const hours = hourWindow(top, floor, walk.size)
    yield hours
    below = hours[hours.length - 1] as number
  }
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

import { MINUTE_MS } from './rollup-rows.js'
import { mayMatch } from './text-bits.js'

// Which minutes of a 10-minute bucket a text search reads, once the bucket's bitmap said it may
// hold a match. Pure: the rows come from log_minutes joined with log_text_minutes (log-search.ts).

/** One (project, minute): its event count, how many of those its bitmap covers, the bitmap. */
export interface MinuteText {
  projectId: number
  minute: number
  n: number
  indexed: number
  bits: Uint8Array | null
}

/** A time range to read, for one project or (null) for every project. */
export interface TextRange {
  from: number
  to: number
  projectId: number | null
}

/**
 * Whether the minute must be read: its bitmap admits `wanted`, or some of its events are in no
 * bitmap (`indexed` < `n`: stored before migration 007, or by an older receiver). A minute with
 * events and no bitmap row is read too; it can only be one whose bitmap a purge already took.
 */
export function mustRead (m: MinuteText, wanted: number[]): boolean {
  if (m.n === 0) return false
  return m.indexed < m.n || m.bits === null || mayMatch(m.bits, wanted)
}

/**
 * The ranges to read, newest first. Minutes whose projects are the same run together into one
 * range. When the search spans every project (`scoped` false), a minute that only one project
 * must be read in is read for that project alone; one with several is read for all of them in one
 * ts-ordered read. A scoped search's rows all belong to its project.
 */
export function textRanges (minutes: readonly MinuteText[], wanted: number[], scoped: boolean): TextRange[] {
  const projects = new Map<number, Set<number>>()
  for (const m of minutes) {
    if (!mustRead(m, wanted)) continue
    let set = projects.get(m.minute)
    if (set === undefined) projects.set(m.minute, set = new Set())
    set.add(m.projectId)
  }
  const ranges: TextRange[] = []
  for (const minute of [...projects.keys()].sort((a, b) => b - a)) {
    const set = projects.get(minute) as Set<number>
    const projectId = set.size === 1 || scoped ? [...set][0] as number : null
    const last = ranges[ranges.length - 1]
    if (last !== undefined && last.from === minute + MINUTE_MS && last.projectId === projectId) last.from = minute
    else ranges.push({ from: minute, to: minute + MINUTE_MS, projectId })
  }
  return ranges
}

import { LEVELS, type LevelName } from '../ingest/levels.js'
import type { LevelMinute } from '../storage/store.js'

export const MINUTE_MS = 60_000
const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[]
const ERROR_LEVELS = new Set<string>(['error', 'fatal'])

export type MinuteCounts = { ts: string } & Record<LevelName, number>

export interface MinuteSeries {
  from: string
  to: string
  minutes: MinuteCounts[]
  totals: { events: number, errors: number, error_rate: number }
}

/** The last `count` whole minutes up to and including the one `now` falls in; `to` exclusive. */
export function minuteWindow (now: number, count: number): { from: number, to: number } {
  const to = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS
  return { from: to - count * MINUTE_MS, to }
}

/**
 * Turns sparse (minute, level, count) rows into one row per minute with every level present, so
 * a quiet minute is drawn as zero instead of being skipped by the chart.
 */
export function toMinuteSeries (rows: readonly LevelMinute[], from: number, to: number): MinuteSeries {
  const byMinute = new Map<number, Record<LevelName, number>>()
  for (let m = from; m < to; m += MINUTE_MS) {
    byMinute.set(m, Object.fromEntries(LEVEL_NAMES.map((l) => [l, 0])) as Record<LevelName, number>)
  }
  let events = 0
  let errors = 0
  for (const r of rows) {
    const counts = byMinute.get(r.minute)
    if (counts === undefined || !(r.level in counts)) continue
    counts[r.level as LevelName] += r.count
    events += r.count
    if (ERROR_LEVELS.has(r.level)) errors += r.count
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    minutes: [...byMinute].map(([m, counts]) => ({ ts: new Date(m).toISOString(), ...counts })),
    totals: { events, errors, error_rate: events === 0 ? 0 : errors / events }
  }
}

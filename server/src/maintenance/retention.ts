// What maintenance removes, as plain arithmetic on a clock.

export const HOUR_MS = 3_600_000
export const COUNTER_TTL_MS = 2 * HOUR_MS
/** Alert state (suppression, counters) older than this is no longer consulted by any rule. */
export const ALERT_STATE_TTL_MS = 24 * HOUR_MS

/** Events older than this are past the project's retention; it counts from each event's `ts`. */
export function retentionCutoff (now: number, retentionHours: number): number {
  return now - retentionHours * HOUR_MS
}

export function counterCutoff (now: number): number {
  return now - COUNTER_TTL_MS
}

/** True when a run started at `lastStartedAt` is old enough for traffic to trigger the next. */
export function isDue (lastStartedAt: number | null, now: number, intervalMs: number): boolean {
  return lastStartedAt === null || now - lastStartedAt >= intervalMs
}

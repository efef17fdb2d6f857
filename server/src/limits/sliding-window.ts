// Rate limits count in one-second buckets; the limit holds over any sliding 60 s, summed from
// the buckets whose start lies in (now - 60 s, now]. Pure functions: tested with a fake clock.

export const WINDOW_MS = 60_000
export const BUCKET_MS = 1_000

export type LimitScope = 'project' | 'ip'

export interface Bucket {
  start: number
  count: number
}

export function bucketStart (now: number): number {
  return now - (now % BUCKET_MS)
}

/** Buckets starting after this instant are inside the window ending at `now`. */
export function windowFloor (now: number): number {
  return bucketStart(now) - WINDOW_MS
}

/**
 * Seconds until `incoming` more fits under `limit`: the time until enough of the oldest buckets
 * have slid out of the window. A batch larger than the limit can never fit; it is told to wait a
 * whole window, and the body says why.
 */
export function retryAfterSeconds (buckets: readonly Bucket[], now: number, limit: number, incoming: number): number {
  if (incoming > limit) return WINDOW_MS / 1000
  const floor = windowFloor(now)
  const live = buckets.filter((b) => b.start > floor).sort((a, b) => a.start - b.start)
  let total = live.reduce((sum, b) => sum + b.count, 0)
  for (const b of live) {
    if (total + incoming <= limit) break
    total -= b.count
    // This bucket leaves the window once now passes b.start + WINDOW_MS.
    const leavesAt = b.start + WINDOW_MS
    if (total + incoming <= limit) return Math.max(1, Math.ceil((leavesAt - now) / 1000))
  }
  return 1
}

export interface LimitDecision {
  scope: LimitScope
  limit: number
  remaining: number
  retryAfter: number
}

/** `null` project override means the server default; 0 means unlimited (CONTRACT.md). */
export function effectiveLimit (override: number | null, serverDefault: number): number {
  return override ?? serverDefault
}

/**
 * Equal jitter: half the delay is fixed so retries never collapse to zero, the other half is
 * random so many clients that failed together do not come back together.
 */
export function backoffDelay (attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/** Retry-After is either delta-seconds or an HTTP date; anything unreadable is ignored. */
export function parseRetryAfter (value: string | null | undefined, now: number): number | undefined {
  if (value == null || value === '') return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

import { addMessage, emptyBits, orBits, textBucketOf } from './text-bits.js'

// What one batch adds to the rollups, grouped so a 200-event batch becomes a few upserts: one per
// (minute, level), one per (hour, fingerprint), one bitmap per minute and one per 10-minute
// bucket. Pure: the SQL that writes these rows is in rollup-store.ts.

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000

export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS
export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS

export interface RollupEvent {
  ts: number
  level: number
  message: string
  fingerprint: string
}

export interface MinuteRow { minute: number, level: number, n: number }
export interface FingerprintHourRow { hour: number, fingerprint: string, n: number, first_seen: number, last_seen: number }
/** The trigram bitmap of a time bucket, a minute or ten; `bucket` is its start. */
export interface TextBucketRow { bucket: number, bits: Uint8Array }

export interface RollupRows {
  minutes: MinuteRow[]
  fingerprints: FingerprintHourRow[]
  /** Per minute (log_text_minutes). */
  textMinutes: TextBucketRow[]
  /** Per 10-minute bucket (log_text_buckets): the union of its minutes' bitmaps. */
  textBuckets: TextBucketRow[]
}

const byKey = <T>(rows: Map<string, T>, order: (a: T, b: T) => number): T[] => [...rows.values()].sort(order)

/**
 * Groups the events of one batch. Rows come sorted by their primary key, so concurrent batches
 * lock shared rollup rows in the same order (no deadlock between two writers on MySQL).
 */
export function rollupRows (events: readonly RollupEvent[]): RollupRows {
  const minutes = new Map<string, MinuteRow>()
  const fingerprints = new Map<string, FingerprintHourRow>()
  const textMinutes = new Map<number, TextBucketRow>()
  for (const e of events) {
    const minute = minuteOf(e.ts)
    const m = minutes.get(`${minute}|${e.level}`)
    if (m === undefined) minutes.set(`${minute}|${e.level}`, { minute, level: e.level, n: 1 })
    else m.n++

    const hour = hourOf(e.ts)
    const key = `${hour}|${e.fingerprint}`
    const f = fingerprints.get(key)
    if (f === undefined) fingerprints.set(key, { hour, fingerprint: e.fingerprint, n: 1, first_seen: e.ts, last_seen: e.ts })
    else {
      f.n++
      if (e.ts < f.first_seen) f.first_seen = e.ts
      if (e.ts > f.last_seen) f.last_seen = e.ts
    }

    let t = textMinutes.get(minute)
    if (t === undefined) textMinutes.set(minute, t = { bucket: minute, bits: emptyBits() })
    addMessage(t.bits, e.message)
  }
  // Each message is hashed once, into its minute; a bucket's bitmap is or-ed from its minutes'.
  const textBuckets = new Map<number, TextBucketRow>()
  for (const m of textMinutes.values()) {
    const bucket = textBucketOf(m.bucket)
    let t = textBuckets.get(bucket)
    if (t === undefined) textBuckets.set(bucket, t = { bucket, bits: emptyBits() })
    orBits(t.bits, m.bits)
  }
  const byBucket = (a: TextBucketRow, b: TextBucketRow): number => a.bucket - b.bucket
  return {
    minutes: byKey(minutes, (a, b) => a.minute - b.minute || a.level - b.level),
    // Fingerprints are hex (or client-chosen ASCII): code-unit order is the databases' binary order.
    fingerprints: byKey(fingerprints, (a, b) => a.hour - b.hour || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)),
    textMinutes: [...textMinutes.values()].sort(byBucket),
    textBuckets: [...textBuckets.values()].sort(byBucket)
  }
}

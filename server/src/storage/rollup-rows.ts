import { addMessage, emptyBits, orBits, textBucketOf } from './text-bits.js'

// What a batch (or a group of batches) adds to the rollups, grouped so a 200-event batch becomes a
// few upserts: one per (minute, level), one per (hour, fingerprint), one bitmap per minute and one
// per 10-minute bucket. No I/O: the SQL that writes these rows is in rollup-store.ts.

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
/** `first_received`: the earliest receipt time of the batches whose events the row counts. */
export interface FingerprintHourRow { hour: number, fingerprint: string, n: number, first_seen: number, last_seen: number, first_received: number }
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
 * Adds up what batches add to the rollups: one batch, or all the batches of a group commit, whose
 * rows are then written once (a service's batches repeat their fingerprints, so a group of
 * ten costs about one batch's upserts).
 */
export class RollupAccumulator {
  #minutes = new Map<string, MinuteRow>()
  #fingerprints = new Map<string, FingerprintHourRow>()
  #textMinutes = new Map<number, TextBucketRow>()

  /** The events of one batch, received (stored) at `receivedAt`. */
  add (events: readonly RollupEvent[], receivedAt: number): void {
    for (const e of events) {
      const minute = minuteOf(e.ts)
      const m = this.#minutes.get(`${minute}|${e.level}`)
      if (m === undefined) this.#minutes.set(`${minute}|${e.level}`, { minute, level: e.level, n: 1 })
      else m.n++

      const hour = hourOf(e.ts)
      const key = `${hour}|${e.fingerprint}`
      const f = this.#fingerprints.get(key)
      if (f === undefined) {
        this.#fingerprints.set(key, { hour, fingerprint: e.fingerprint, n: 1, first_seen: e.ts, last_seen: e.ts, first_received: receivedAt })
      } else {
        f.n++
        if (e.ts < f.first_seen) f.first_seen = e.ts
        if (e.ts > f.last_seen) f.last_seen = e.ts
        if (receivedAt < f.first_received) f.first_received = receivedAt
      }

      let t = this.#textMinutes.get(minute)
      if (t === undefined) this.#textMinutes.set(minute, t = { bucket: minute, bits: emptyBits() })
      addMessage(t.bits, e.message)
    }
  }

  /**
   * The rows, each table's sorted by its primary key, so concurrent batches lock shared rollup
   * rows in the same order (no deadlock between two writers on MySQL).
   */
  rows (): RollupRows {
    // Each message is hashed once, into its minute; a bucket's bitmap is or-ed from its minutes'.
    const textBuckets = new Map<number, TextBucketRow>()
    for (const m of this.#textMinutes.values()) {
      const bucket = textBucketOf(m.bucket)
      let t = textBuckets.get(bucket)
      if (t === undefined) textBuckets.set(bucket, t = { bucket, bits: emptyBits() })
      orBits(t.bits, m.bits)
    }
    const byBucket = (a: TextBucketRow, b: TextBucketRow): number => a.bucket - b.bucket
    return {
      minutes: byKey(this.#minutes, (a, b) => a.minute - b.minute || a.level - b.level),
      // Fingerprints are hex (or client-chosen ASCII): code-unit order is the databases' binary order.
      fingerprints: byKey(this.#fingerprints, (a, b) => a.hour - b.hour || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)),
      textMinutes: [...this.#textMinutes.values()].sort(byBucket),
      textBuckets: [...textBuckets.values()].sort(byBucket)
    }
  }
}

/** A group commit's rollups: one accumulator per project of the batches it stored. */
export class GroupRollups {
  #projects = new Map<number, RollupAccumulator>()

  add (projectId: number, events: readonly RollupEvent[], receivedAt: number): void {
    let project = this.#projects.get(projectId)
    if (project === undefined) this.#projects.set(projectId, project = new RollupAccumulator())
    project.add(events, receivedAt)
  }

  /** Each project's rows, projects in ascending id order: two transactions lock shared rows in one order. */
  byProject (): Array<[number, RollupRows]> {
    return [...this.#projects].sort(([a], [b]) => a - b).map(([id, rows]) => [id, rows.rows()])
  }
}

/** The rollup rows of one batch received at `receivedAt`. */
export function rollupRows (events: readonly RollupEvent[], receivedAt: number): RollupRows {
  const rows = new RollupAccumulator()
  rows.add(events, receivedAt)
  return rows.rows()
}

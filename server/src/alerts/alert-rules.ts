import type { StoredEvent } from '../ingest/validate.js'
import type { AlertSettingsValues } from '../storage/store.js'

// The alert rules as plain functions of (events, settings, clock). The engine feeds them counts
// read from the database and turns their answers into atomic claims; nothing here does I/O.

/** pino's number for `error`; `fatal` (60) counts too. */
export const ERROR_LEVEL = 50
/** The error-rate rule measures errors per minute over the last minute. */
export const RATE_WINDOW_MS = 60_000
/**
 * A fingerprint is new when no event with it was received more than this long before the batch.
 * The slack lets two receivers see each other's first events without both deciding "seen
 * before"; the fingerprint claim in the database then picks one of them to announce it.
 */
export const NEW_FINGERPRINT_SLACK_MS = 60_000

export type AlertKind = 'spike' | 'rate' | 'new'

export const RATE_KEY = 'rate'
export const NEW_KEY = 'new'
export const spikeKey = (fingerprint: string): string => `spike:${fingerprint}`

export interface ErrorGroup {
  fingerprint: string
  count: number
  /** The newest event of the group: its message, source and stack describe the alert. */
  sample: StoredEvent
  first: number
  last: number
}

/** The batch's error events (level ≥ error) by fingerprint, in order of first appearance. */
export function groupErrors (events: readonly StoredEvent[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>()
  for (const e of events) {
    if (e.level < ERROR_LEVEL) continue
    const g = groups.get(e.fingerprint)
    if (g === undefined) {
      groups.set(e.fingerprint, { fingerprint: e.fingerprint, count: 1, sample: e, first: e.ts, last: e.ts })
    } else {
      g.count++
      if (e.ts >= g.last) { g.last = e.ts; g.sample = e }
      if (e.ts < g.first) g.first = e.ts
    }
  }
  return [...groups.values()]
}

export function errorCount (events: readonly StoredEvent[]): number {
  let n = 0
  for (const e of events) if (e.level >= ERROR_LEVEL) n++
  return n
}

export function spikeWindowStart (settings: AlertSettingsValues, now: number): number {
  return now - settings.spike_window_seconds * 1000
}

export function suppressionEnd (settings: AlertSettingsValues, now: number): number {
  return now + settings.suppression_minutes * 60_000
}

/** Counting in the database stops here: enough to decide, and a readable number for the message. */
export function spikeCountLimit (settings: AlertSettingsValues): number {
  return Math.max(settings.spike_threshold, 1000)
}

export function rateCountLimit (settings: AlertSettingsValues): number {
  return Math.max(settings.error_rate_threshold ?? 0, 1000)
}

/** `windowCount`: error events with this fingerprint whose ts lies in the spike window. */
export function isSpike (settings: AlertSettingsValues, windowCount: number): boolean {
  return settings.spike_threshold > 0 && windowCount >= settings.spike_threshold
}

/** `minuteCount`: error events of the project whose ts lies in the last minute. */
export function isRateHigh (settings: AlertSettingsValues, minuteCount: number): boolean {
  return settings.error_rate_threshold !== null && minuteCount >= settings.error_rate_threshold
}

export type RateTransition = 'fire' | 'recover' | 'none'

export function rateTransition (settings: AlertSettingsValues, minuteCount: number, firing: boolean): RateTransition {
  const high = isRateHigh(settings, minuteCount)
  if (high && !firing) return 'fire'
  // Turning the rule off while it fires also closes it, with a recovery message.
  if (!high && firing) return 'recover'
  return 'none'
}

export function isNewFingerprint (seenBeforeSlack: boolean): boolean {
  return !seenBeforeSlack
}

export interface FollowUpPlan {
  /** When set, the next suppression window opens at once, ending here: the problem goes on. */
  rearmUntil: number | null
}

export interface FollowUpFacts {
  kind: AlertKind
  /** The spike or the high rate is still there right now. */
  ongoing: boolean
  /** A rate alert that has not recovered yet. */
  firing: boolean
}

/**
 * What to do when a suppression window ends. A spike still going on, or a rate still firing,
 * re-opens the window at once, so a problem that never stops costs one message per window.
 */
export function planFollowUp (settings: AlertSettingsValues, now: number, facts: FollowUpFacts): FollowUpPlan {
  const rearm = facts.kind === 'spike' ? facts.ongoing : facts.kind === 'rate' ? facts.firing && facts.ongoing : false
  return { rearmUntil: rearm && settings.suppression_minutes > 0 ? suppressionEnd(settings, now) : null }
}

/**
 * Whether the follow-up is worth a message. A spike's always is (it gives the count, or says it
 * stopped); a recovered rate already said so; "0 more new fingerprints" says nothing.
 */
export function shouldSendFollowUp (kind: AlertKind, count: number, facts: { firing: boolean }): boolean {
  if (kind === 'spike') return true
  if (kind === 'rate') return facts.firing
  return count > 0
}

export function kindOfKey (key: string): AlertKind {
  return key === RATE_KEY ? 'rate' : key === NEW_KEY ? 'new' : 'spike'
}

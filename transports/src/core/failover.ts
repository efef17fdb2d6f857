import { backoffDelay } from './backoff.js'
import type { Resolved } from './options.js'

/** What the primary answered, as far as it can be seen from outside it. */
export interface PrimaryResult {
  ok: boolean
  status?: number
  retryAfterMs?: number
  message?: string
}

export type Route = 'primary' | 'receiver' | 'both'
export type State = 'primary' | 'diverted' | 'probing'
type Kind = 'rate' | 'quota' | 'error'

const QUOTA_WORDS = /quota|limit|exceed|too many|plan|billing/i

/** 429 waits for its Retry-After; quota answers mean a long pause; the rest must repeat first. */
export function classify (result: PrimaryResult): Kind {
  const quotaText = result.message !== undefined && QUOTA_WORDS.test(result.message)
  if (result.status === 429) return 'rate'
  if (result.status === 402) return 'quota'
  // The body is often out of sight (diagnostics channels carry no body); unseen counts as quota.
  if ((result.status === 403 || result.status === 413) && (result.message === undefined || quotaText)) return 'quota'
  if (result.status === undefined && quotaText) return 'quota'
  return 'error'
}

/**
 * When to send to the primary. Pure apart from the clock and random it is given, so probing
 * and backoff are tested in milliseconds.
 */
export class Failover {
  #options: Resolved['failover']
  #now: () => number
  #random: () => number
  #onSwitch: (state: State, reason: string) => void
  #state: State = 'primary'
  #streak = 0
  #successes = 0
  #trips = 0
  #offUntil = 0

  constructor (options: Resolved['failover'], now: () => number, random: () => number, onSwitch: (state: State, reason: string) => void) {
    this.#options = options
    this.#now = now
    this.#random = random
    this.#onSwitch = onSwitch
  }

  get state (): State { return this.#state }

  route (): Route {
    if (this.#state === 'diverted' && this.#now() >= this.#offUntil) this.#switch('probing', 'pause over, probing the primary')
    return this.#state === 'primary' ? 'primary' : this.#state === 'diverted' ? 'receiver' : 'both'
  }

  /** Returns true when this result tripped the primary. */
  record (result: PrimaryResult): boolean {
    if (this.#state === 'diverted') return false
    if (result.ok) {
      this.#streak = 0
      if (this.#state === 'probing' && ++this.#successes >= this.#options.successesToRecover) {
        this.#trips = 0
        this.#switch('primary', `${this.#successes} successful requests in a row`)
      }
      return false
    }
    const kind = classify(result)
    const why = `${result.status ?? 'network'}${result.message === undefined ? '' : ' ' + result.message.slice(0, 120)}`
    if (kind === 'rate') {
      this.trip(`rate limited (${why})`, (result.retryAfterMs ?? this.#options.rateLimitMs) * (1 + this.#random() * 0.1))
    } else if (kind === 'quota') {
      this.trip(`over quota (${why})`, this.#options.quotaMs * (1 + this.#random() * 0.1))
    } else if (this.#state === 'probing' || ++this.#streak >= this.#options.failureThreshold) {
      this.trip(`failing (${why})`)
    } else {
      return false
    }
    return true
  }

  /** Explicit trip for providers whose over-quota signal cannot be observed. */
  trip (reason: string, forMs?: number): void {
    const pause = forMs ?? backoffDelay(this.#trips, this.#options.backoffMs, this.#options.backoffMaxMs, this.#random)
    this.#trips++
    this.#streak = 0
    this.#successes = 0
    this.#offUntil = this.#now() + pause
    this.#switch('diverted', `${reason}; sending to the receiver for ${Math.round(pause / 1000)} s`)
  }

  #switch (state: State, reason: string): void {
    if (state === this.#state && state !== 'diverted') return
    const from = this.#state
    this.#state = state
    if (state === 'probing') this.#successes = 0
    if (from !== state) this.#onSwitch(state, reason)
  }
}

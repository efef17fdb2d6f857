import { TeknoError } from '../errors.js'
import type { LimitStore } from '../storage/limit-store.js'
import { AdmissionQueue } from './admission-queue.js'
import { retryAfterSeconds, WINDOW_MS, type LimitScope } from './sliding-window.js'

export interface Admission {
  scope: LimitScope
  subject: string
  amount: number
  at: number
}

/**
 * The I/O half of rate limiting: a conditional upsert admits requests (those on one subject that
 * arrive together share one: AdmissionQueue); the window is read only when a request is refused,
 * to tell the client when to come back. (A project's event limit is counted by the store, in the
 * transaction that stores the batch: LogStore.insertBatch.)
 */
export class RateLimiter {
  #store: LimitStore
  #queue: AdmissionQueue

  constructor (store: LimitStore) {
    this.#store = store
    this.#queue = new AdmissionQueue(store)
  }

  /** Resolves with the admission (to release later) or rejects with a 429 TeknoError. A limit of 0 admits everything. */
  async admit (scope: LimitScope, subject: string, amount: number, limit: number, now: number): Promise<Admission | null> {
    if (limit <= 0) return null
    const at = await this.#queue.admit(scope, subject, amount, limit, now)
    if (at !== null) return { scope, subject, amount, at }
    throw await this.refusal(scope, subject, amount, limit, now)
  }

  /**
   * The 429 for `amount` that did not fit under `limit`, whichever statement found it so (admit
   * here, or the store counting a batch in the transaction that would have stored it).
   */
  async refusal (scope: LimitScope, subject: string, amount: number, limit: number, now: number): Promise<TeknoError> {
    const buckets = await this.#store.window(scope, subject, now)
    const used = buckets.reduce((sum, b) => sum + b.count, 0)
    const retryAfter = retryAfterSeconds(buckets, now, limit, amount)
    const what = scope === 'project' ? 'events' : 'requests'
    const message = amount > limit
      ? `This batch of ${amount} events is larger than the project's limit of ${limit} events per minute; split it`
      : `Over the ${scope} limit of ${limit} ${what} per minute; retry in ${retryAfter} s`
    return new TeknoError('TEKNO_ERR_RATE_LIMITED', message, {
      scope,
      retry_after: retryAfter,
      limit,
      remaining: Math.max(0, limit - used)
    })
  }

  async release (admission: Admission | null): Promise<void> {
    if (admission !== null) await this.#store.release(admission.scope, admission.subject, admission.amount, admission.at)
  }
}

export const RATE_WINDOW_SECONDS = WINDOW_MS / 1000

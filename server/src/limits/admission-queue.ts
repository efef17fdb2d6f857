import type { LimitStore } from '../storage/limit-store.js'
import type { LimitScope } from './sliding-window.js'

interface Waiter {
  amount: number
  limit: number
  now: number
  /** With the `now` whose bucket took the amount, or null when it did not fit. */
  resolve (admittedAt: number | null): void
  reject (err: unknown): void
}

/**
 * Admissions on one subject that arrive while a statement for that subject is in flight wait for
 * it, then go to the database together: one conditional upsert for their sum instead of one each.
 * Every request from one client IP updates the same counter row, where their statements would only
 * have queued on its row lock, each paying a commit of its own.
 *
 * The database still decides, so receivers sharing it still share one limit. A sum that does not
 * fit is split: each request is then tried alone, in arrival order, so exactly the requests that
 * would have fit one by one are admitted.
 */
export class AdmissionQueue {
  #store: LimitStore
  /** Present while a statement for the subject is in flight; holds the requests for the next one. */
  #waiting = new Map<string, Waiter[]>()

  constructor (store: LimitStore) {
    this.#store = store
  }

  admit (scope: LimitScope, subject: string, amount: number, limit: number, now: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { amount, limit, now, resolve, reject }
      const key = `${scope}\n${subject}`
      const queue = this.#waiting.get(key)
      if (queue !== undefined) {
        queue.push(waiter)
        return
      }
      this.#waiting.set(key, [])
      void this.#drain(key, scope, subject, [waiter])
    })
  }

  async #drain (key: string, scope: LimitScope, subject: string, first: Waiter[]): Promise<void> {
    let group = first
    while (group.length > 0) {
      await this.#settle(scope, subject, group)
      group = (this.#waiting.get(key) as Waiter[]).splice(0)
    }
    this.#waiting.delete(key)
  }

  async #settle (scope: LimitScope, subject: string, group: Waiter[]): Promise<void> {
    if (group.length > 1) {
      // Under the smallest of their limits (one IP can send for projects with different limits),
      // each request would also have fit alone under its own.
      let total = 0
      let limit = Infinity
      let now = 0
      for (const w of group) {
        total += w.amount
        limit = Math.min(limit, w.limit)
        now = Math.max(now, w.now)
      }
      try {
        if (await this.#store.admit(scope, subject, total, limit, now)) {
          for (const w of group) w.resolve(now)
          return
        }
      } catch (err) {
        for (const w of group) w.reject(err)
        return
      }
    }
    for (const w of group) {
      try {
        w.resolve(await this.#store.admit(scope, subject, w.amount, w.limit, w.now) ? w.now : null)
      } catch (err) {
        w.reject(err)
      }
    }
  }
}

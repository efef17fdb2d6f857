// Slows repeated wrong admin tokens per client address. The first few mistakes are free (people
// mistype); after that each wrong guess doubles the wait before the next attempt is even checked.
// The state is per receiver, in memory: a guesser spreading over several receivers gains at most
// a factor of their number, while sessions themselves stay stateless.

export interface ThrottleOptions {
  freeAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Failures older than this are forgotten. */
  forgetAfterMs?: number
  maxTracked?: number
}

interface Entry {
  failures: number
  lastFailure: number
  blockedUntil: number
}

export class SignInThrottle {
  #entries = new Map<string, Entry>()
  #options: Required<ThrottleOptions>

  constructor (options: ThrottleOptions = {}) {
    this.#options = resolveOptions(options)
  }

  /** Milliseconds the client must still wait before an attempt is checked; 0 when it may try. */
  waitMs (client: string, now: number): number {
    const entry = this.#current(client, now)
    return entry === undefined ? 0 : Math.max(0, entry.blockedUntil - now)
  }

  /** Records a wrong token; returns the wait now imposed before the next attempt. */
  fail (client: string, now: number): number {
    const o = this.#options
    const entry = this.#current(client, now) ?? { failures: 0, lastFailure: now, blockedUntil: 0 }
    entry.failures += 1
    entry.lastFailure = now
    const over = entry.failures - o.freeAttempts
    const delay = over <= 0 ? 0 : Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (over - 1))
    entry.blockedUntil = now + delay
    // Re-inserting keeps the Map in least-recently-failed order, so eviction drops the oldest.
    this.#entries.delete(client)
    this.#entries.set(client, entry)
    if (this.#entries.size > o.maxTracked) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    return delay
  }

  succeed (client: string): void {
    this.#entries.delete(client)
  }

  #current (client: string, now: number): Entry | undefined {
    const entry = this.#entries.get(client)
    if (entry !== undefined && now - entry.lastFailure > this.#options.forgetAfterMs && now >= entry.blockedUntil) {
      this.#entries.delete(client)
      return undefined
    }
    return entry
  }
}

function resolveOptions (o: ThrottleOptions): Required<ThrottleOptions> {
  return {
    freeAttempts: o.freeAttempts ?? 5,
    baseDelayMs: o.baseDelayMs ?? 1_000,
    maxDelayMs: o.maxDelayMs ?? 5 * 60_000,
    forgetAfterMs: o.forgetAfterMs ?? 15 * 60_000,
    maxTracked: o.maxTracked ?? 10_000
  }
}

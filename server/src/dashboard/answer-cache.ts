// Remembers an aggregate's answer for a few seconds, so ten open dashboards cost one query, not
// ten. Concurrent misses for one key share a single in-flight promise; a failure is not kept.

export class AnswerCache<T> {
  #entries = new Map<string, { at: number, value: Promise<T> }>()
  #ttlMs: number
  #maxEntries: number

  constructor (ttlMs: number, maxEntries = 200) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  get (key: string, now: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key)
    if (hit !== undefined && now - hit.at < this.#ttlMs) return hit.value
    const value = load()
    this.#entries.delete(key)
    this.#entries.set(key, { at: now, value })
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key)
    })
    return value
  }
}

/**
 * Wraps a lookup so that calls for a key made while a lookup of that key is in flight share its
 * answer instead of each sending their own (Go's singleflight). Nothing is kept once it settles:
 * this is not a cache, and an answer is at most one round trip older than the caller's own lookup
 * would have been.
 */
export function singleFlight<V> (lookup: (key: string) => Promise<V>): (key: string) => Promise<V> {
  const inFlight = new Map<string, Promise<V>>()
  return (key) => {
    const pending = inFlight.get(key)
    if (pending !== undefined) return pending
    const p = lookup(key).finally(() => { inFlight.delete(key) })
    inFlight.set(key, p)
    return p
  }
}

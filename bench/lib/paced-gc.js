// Forced full collections for heap-after-GC samples, paced so they cannot take over the process:
// the next one waits at least `minMs` and at least 9× as long as the last took, so collections
// cost at most a tenth of the time. At a fixed 100 ms, a winston File baseline holding 300 000
// queued lines spent most of its time collecting and ran past the 120 s limit on a 2-core VM.

/**
 * Calls `sample()` right after each collection; `unref` lets the process exit regardless;
 * `collect` is the collection (node --expose-gc's `gc` unless given). Returns a stop function.
 */
export function pacedGc (minMs, sample, { unref = false, collect = globalThis.gc } = {}) {
  let timer = null
  let stopped = false
  const tick = () => {
    const t0 = performance.now()
    collect()
    const tookMs = performance.now() - t0
    sample()
    if (stopped) return
    timer = setTimeout(tick, Math.max(minMs, 9 * tookMs))
    if (unref) timer.unref()
  }
  timer = setTimeout(tick, minMs)
  if (unref) timer.unref()
  return () => { stopped = true; clearTimeout(timer) }
}

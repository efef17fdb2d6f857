import { setTimeout as sleep } from 'node:timers/promises'
import { machineSince, machineTimes } from './cpu-split.js'

// Work a target leaves behind can run on after it (MariaDB flushing what a sustained run wrote, a
// child process still exiting); measured in the middle of that, the next target would share the
// cores with it. So each local target starts once the machine is quiet, or after a bounded wait.

const WINDOW_MS = 500
const QUIET_BUSY = 0.25
const MAX_WAIT_MS = 30_000

/**
 * Waits until the whole machine was less than 25 % busy over half a second (at most 30 s).
 * Returns how long it waited and how busy the last window was.
 */
export async function waitForQuiet ({ maxWaitMs = MAX_WAIT_MS } = {}) {
  const t0 = performance.now()
  let before = machineTimes()
  if (before === null) return { waitedMs: 0, busy: null }
  for (;;) {
    await sleep(WINDOW_MS)
    const after = machineTimes()
    const busy = machineSince(before, after).busyShare ?? 0
    const waitedMs = performance.now() - t0
    if (busy < QUIET_BUSY || waitedMs >= maxWaitMs) return { waitedMs, busy }
    before = after
  }
}

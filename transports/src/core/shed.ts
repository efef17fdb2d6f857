import type { Batch } from './batch.js'
import { LEVELS } from './levels.js'
import type { TeknoEvent } from './event.js'

/**
 * Frees at least `bytes` from the batches by removing whole levels, lowest first and oldest
 * first within a level, so under pressure the trace noise goes before any error does.
 * Returns how many events of each rank were removed; the batches are changed in place.
 */
export function shed (batches: Batch[], bytes: number): number[] {
  const dropped = LEVELS.map(() => 0)
  let freed = 0
  for (let rank = 0; rank < LEVELS.length && freed < bytes; rank++) {
    for (const batch of batches) {
      if (freed >= bytes) break
      const kept = []
      for (const event of batch.events) {
        if (event.rank === rank && freed < bytes) {
          freed += event.bytes + 1
          dropped[rank]!++
        } else {
          kept.push(event)
        }
      }
      if (kept.length !== batch.events.length) {
        batch.bytes -= batch.events.reduce((sum, e) => sum + e.bytes + 1, 0) - kept.reduce((sum, e) => sum + e.bytes + 1, 0)
        batch.events = kept
      }
    }
  }
  return dropped
}

/** The count of what was lost travels as an event itself, so the loss shows up where the logs are read. */
export function droppedNotice (dropped: number[], now: number): TeknoEvent | null {
  const total = dropped.reduce((sum, n) => sum + n, 0)
  if (total === 0) return null
  const byLevel: Record<string, number> = {}
  dropped.forEach((n, rank) => { if (n > 0) byLevel[LEVELS[rank]!] = n })
  return {
    ts: now,
    level: 'warn',
    message: `tekno-logger dropped ${total} events because its buffer and spool were full`,
    source: 'tekno-logger',
    context: { dropped: byLevel }
  }
}

import type Database from 'better-sqlite3'

// Copying the WAL back into the database file, so that the writer can start the WAL again from the
// top. The checkpointer thread does the copying without making the writer wait; when the WAL is
// long, it asks the writer (through a shared flag) to finish the job between two transactions.

export interface CheckpointSettings {
  /** How often the checkpointer copies the WAL into the database file. */
  everyMs: number
  /** WAL length past which the writer is asked to finish a copy and start the WAL again. */
  restartBytes: number
}

/**
 * A copy every 200 ms keeps each one's fsync short; a restart past 16 MiB keeps the `-wal` file
 * within about 60 MB under steady load. At 10 connections of seed batches for 20 s (2-core EPYC
 * VM, runs alternated): with no checkpoint at all (as before this file) 144 batches/s, p99 115 ms,
 * the WAL growing by 100 MB a second; past 16 MiB 127-149/s, p99 129-154 ms (six runs); past 8 MiB
 * 126-138/s, p99 132-137 ms; past 64 MiB 116-168/s, p99 175-222 ms; past 256 MiB 123/s, p99
 * 510-537 ms. The larger the bound, the longer the copies the writer ends up waiting for.
 */
export const DEFAULT_CHECKPOINTS: CheckpointSettings = { everyMs: 200, restartBytes: 16 * 1024 * 1024 }

/** Further copies while the writer keeps adding to the WAL, before the writer is asked. */
const CATCH_UP_PASSES = 3
/** How long the writer's RESTART waits for readers still on the old WAL; busy, it tries next time. */
const RESTART_WAIT_MS = 100
const BUSY_TIMEOUT_MS = 5000

interface Outcome { busy: number, log: number, checkpointed: number }

const run = (db: Database.Database, mode: 'PASSIVE' | 'RESTART'): Outcome =>
  (db.pragma(`wal_checkpoint(${mode})`) as Outcome[])[0] as Outcome

/**
 * The checkpointer's tick; true when the writer should finish with restartWal.
 *
 * A connection finds out that the database is in WAL mode when it starts a read; until then
 * `wal_checkpoint` does nothing and answers -1. This connection reads nothing else, so it reads
 * the schema cookie first. Without that read no checkpoint ever ran: the WAL grew by every page
 * written (1 GB after 500 seed batches, the database file still 4 KiB) until the process stopped.
 *
 * PASSIVE copies without taking a lock the writer needs. But the writer starts the WAL again only
 * when a transaction of its finds it wholly copied, and under steady load it always holds frames
 * newer than the last copy: at 10 connections of seed batches the WAL grew by 100 MB a second,
 * 3.1 GB in 30 s. So once it is past `restartBytes`, a few more PASSIVE copies shrink what is left
 * and the writer is asked to copy the rest.
 *
 * Copying on until a pass finds no new frame was tried (2-core EPYC VM, runs alternated): the WAL is
 * then wholly copied, the writer's next transaction starts it again by itself, and at one client's
 * pace the writer was almost never asked. One client's p99 moved from 13.9-16.6 ms to 12.8-16.0
 * (within the noise), while up to 8 passes a tick took 10 connections' p99 from 70-79 ms to
 * 83-105, and up to 3 to 75-84. A PASSIVE answer counts only the frames there were when it began,
 * so "all copied" is known only from a further pass that finds none.
 */
export function checkpointWal (db: Database.Database, restartBytes: number): boolean {
  db.pragma('schema_version')
  let outcome = run(db, 'PASSIVE')
  const pageBytes = db.pragma('page_size', { simple: true }) as number
  if (outcome.log * pageBytes <= restartBytes) return false
  for (let pass = 0; pass < CATCH_UP_PASSES; pass++) {
    const before = outcome.log
    outcome = run(db, 'PASSIVE')
    if ((outcome.log - before) * pageBytes <= restartBytes / 16) break
  }
  return true
}

/**
 * The writer, between two transactions: copies the frames the checkpointer has not, and waits up
 * to RESTART_WAIT_MS for readers of the old WAL, so that its next transaction starts the WAL from
 * the top. The writer runs it, not the checkpointer: a RESTART must hold the write lock, and the
 * writer takes that lock back the moment it commits, so under steady load a checkpointer polling
 * for it never got it (a 4 MiB bound, 50 ms ticks: the WAL still reached 1.5-2.2 GB).
 */
export function restartWal (db: Database.Database): void {
  db.pragma(`busy_timeout = ${RESTART_WAIT_MS}`)
  try {
    run(db, 'RESTART')
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  }
}

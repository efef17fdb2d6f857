import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type { Migration } from '../migrations.js'
import { GroupRollups } from '../rollup-rows.js'
import { writeRollupsSync, type SyncSql } from '../rollup-store.js'
import type { SqlValue } from '../sql-runner.js'
import { admitStatement } from '../limit-store.js'
import { OVER_LIMIT, type InsertCall, type InsertResult } from '../store.js'
import { toFailure, type BatchOutcome, type ThreadRequest, type ThreadResponse } from './sqlite-rpc.js'
import { checkpointWal, restartWal, type CheckpointSettings } from './wal-checkpoint.js'

// One better-sqlite3 connection in its own thread. SQLite calls are synchronous; here they block
// only this thread, never the event loop answering HTTP requests (WAL checkpoints included).

const { path, role, checkpoints: settings, restartWanted } = workerData as {
  path: string
  role: 'writer' | 'reader' | 'checkpointer'
  checkpoints: CheckpointSettings
  /** Shared by the writer and the checkpointer: RESTART_NONE, RESTART_WANTED or RESTART_RUNNING. */
  restartWanted: Int32Array
}
const STATEMENT_CACHE_MAX = 256

const db = new Database(path)
// Before anything else: the other thread's connection may hold a lock while it sets up.
db.pragma('busy_timeout = 5000')
// 16 KiB pages for a new database (an existing one keeps its size): a commit writes each dirty
// page to the WAL with a system call of its own, and the rows alone of a 300 KB batch fill some
// 75 pages of 4 KiB. Committing the seed batch took 1.29-1.44 ms with 4 KiB pages, 0.98-1.03 ms with 16 KiB
// (64 KiB: 1.11) in a better-sqlite3 script; inserts and rollups were no slower. Before the WAL
// pragma, which creates the file.
if (role === 'writer') db.pragma('page_size = 16384')
if (role === 'writer') db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
// Checkpoints (the only fsyncs under WAL + NORMAL) would otherwise run inside whichever commit
// crosses the threshold, stalling that batch for the disk. A thread of its own copies the WAL back
// (wal-checkpoint.ts), and reads never queue behind its fsync; the writer only finishes a copy,
// right after answering a message, once the WAL has grown past its bound.
// Once a checkpoint has copied the whole WAL, the writer starts it again from the top, reusing the
// file; the first commit after that cuts a file grown past this back to it, so a burst or a purge
// does not keep its disk space.
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
if (role === 'writer') {
  db.pragma('wal_autocheckpoint = 0')
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
}
const RESTART_NONE = 0
const RESTART_WANTED = 1
const RESTART_RUNNING = 2
/** Ticks since the checkpointer asked for a restart the writer has not taken yet. */
let ticksAsked = 0
const checkpoints = role === 'checkpointer'
  ? setInterval(() => {
    // Two checkpoints at once: one of them answers busy at once. So none while the writer runs its
    // RESTART, nor for one tick after asking: a writer at work takes the request as soon as it has
    // answered its current message. One still waiting after that is idle, and copying goes on
    // without it.
    const state = Atomics.load(restartWanted, 0)
    if (state === RESTART_RUNNING || (state === RESTART_WANTED && ticksAsked++ < 1)) return
    try {
      if (checkpointWal(db, settings.restartBytes)) {
        Atomics.store(restartWanted, 0, RESTART_WANTED)
        ticksAsked = 0
      }
    } catch { /* busy: the next tick tries again */ }
  }, settings.everyMs)
  : undefined
// SQLite's lower() only folds ASCII; MySQL's LOWER() folds Unicode. Same rows on both.
db.function('tekno_lower', { deterministic: true }, (s: unknown) => typeof s === 'string' ? s.toLowerCase() : s)

const statements = new Map<string, Database.Statement>()
function prepare (sql: string): Database.Statement {
  let stmt = statements.get(sql)
  if (stmt === undefined) {
    if (statements.size >= STATEMENT_CACHE_MAX) statements.clear()
    stmt = db.prepare(sql)
    statements.set(sql, stmt)
  }
  return stmt
}

const sync: SyncSql = {
  all: (sql, params) => prepare(sql).all(...params),
  run: (sql, params) => { prepare(sql).run(...params) }
}

function insertBatch ({ projectId, batchId, events, now, eventLimit }: InsertCall): InsertResult {
  return db.transaction((): InsertResult => {
    if (batchId !== null) {
      const seen = prepare('SELECT accepted FROM batches WHERE project_id = ? AND batch_id = ?').get(projectId, batchId) as { accepted: number } | undefined
      if (seen !== undefined) return { accepted: seen.accepted, duplicate: true }
    }
    // After the duplicate check, so a retry is never counted; in this writer's transaction, so the
    // count and the rows commit together.
    if (eventLimit > 0) {
      const admit = admitStatement('sqlite', 'project', String(projectId), events.length, eventLimit, now)
      if (prepare(admit.sql).run(...admit.params).changes === 0) return OVER_LIMIT
    }
    if (batchId !== null) {
      prepare('INSERT INTO batches (project_id, batch_id, accepted, received_at) VALUES (?, ?, ?, ?)').run(projectId, batchId, events.length, now)
    }
    const insert = prepare('INSERT INTO logs (project_id, ts, received_at, level, message, source, fingerprint, stack, context) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    for (const e of events) insert.run(projectId, e.ts, now, e.level, e.message, e.source, e.fingerprint, e.stack, e.context)
    return { accepted: events.length, duplicate: false }
  }).immediate()
}

/**
 * Several batches in one transaction (group commit, see group-commit.ts). Each batch's rows go in
 * inside its own savepoint — better-sqlite3 turns the nested transaction into one — so a batch
 * that fails rolls back alone and the others still commit. The rollups of the batches stored are
 * added up per project and written once, last: a service's batches repeat their fingerprints, and
 * the seed batch's 200 fingerprint upserts took 0.8-1.5 ms of the writer's ~4 ms (a better-sqlite3
 * script). If writing them fails, the whole group rolls back and every batch fails with it.
 */
function insertBatches (batches: InsertCall[]): BatchOutcome[] {
  return db.transaction((): BatchOutcome[] => {
    const rollups = new GroupRollups()
    const outcomes = batches.map((b): BatchOutcome => {
      try {
        const value = insertBatch(b)
        if (!value.duplicate && value.overLimit !== true) rollups.add(b.projectId, b.events, b.now)
        return { ok: true, value }
      } catch (err) {
        return { ok: false, ...toFailure(err) }
      }
    })
    for (const [projectId, rows] of rollups.byProject()) writeRollupsSync(sync, projectId, rows)
    return outcomes
  }).immediate()
}

function migrate (migrations: Migration[]): string[] {
  try {
    // IMMEDIATE takes the write lock first, so a second process starting at the same moment
    // waits (busy_timeout) and then finds the migrations already recorded.
    return db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS tekno_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
      const done = new Set((db.prepare('SELECT version FROM tekno_migrations').all() as Array<{ version: number }>).map((r) => r.version))
      const applied: string[] = []
      for (const m of migrations) {
        if (done.has(m.version)) continue
        db.exec(m.sql)
        db.prepare('INSERT INTO tekno_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now())
        applied.push(m.name)
      }
      return applied
    }).immediate()
  } finally {
    statements.clear()
  }
}

/**
 * The writer takes a restart request after answering, not before: the answer is on its way while
 * the copy and its fsync run, and with a single client the next batch is still being sent and
 * checked meanwhile. Taken before each request, every restart (6.7 ms median, 27 ms at most in
 * a seed-batch run) was added whole to the latency of the batch that came next.
 */
function restartIfAsked (): void {
  if (role !== 'writer' || Atomics.compareExchange(restartWanted, 0, RESTART_WANTED, RESTART_RUNNING) !== RESTART_WANTED) return
  try { restartWal(db) } catch { /* busy: the checkpointer asks again */ }
  Atomics.store(restartWanted, 0, RESTART_NONE)
}

function handle (req: ThreadRequest): unknown {
  switch (req.op) {
    case 'all': return prepare(req.sql).all(...req.params as SqlValue[])
    case 'run': {
      const r = prepare(req.sql).run(...req.params as SqlValue[])
      return { affectedRows: r.changes, insertId: Number(r.lastInsertRowid) }
    }
    case 'insertBatches': return insertBatches(req.batches)
    case 'migrate': return migrate(req.migrations)
    case 'close':
      clearInterval(checkpoints)
      db.close()
      return null
  }
}

parentPort?.on('message', (req: ThreadRequest) => {
  let res: ThreadResponse
  try {
    res = { id: req.id, ok: true, value: handle(req) }
  } catch (err) {
    res = { id: req.id, ok: false, ...toFailure(err) }
  }
  parentPort?.postMessage(res)
  if (req.op === 'close') parentPort?.close()
  else restartIfAsked()
})

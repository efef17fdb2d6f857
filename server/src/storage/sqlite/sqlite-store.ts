import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createAlertStore } from '../alert-store.js'
import type { AlertStore } from '../store.js'
import { findBatch, searchLogs } from '../log-search.js'
import { loadMigrations } from '../migrations.js'
import { createLimitStore, type LimitStore } from '../limit-store.js'
import { createMaintenanceStore, type MaintenanceStore } from '../maintenance-store.js'
import { createProjectStore } from '../project-store.js'
import type { RunResult, SqlRunner, SqlValue } from '../sql-runner.js'
import { createStatsStore } from '../stats-store.js'
import type { InsertCall, InsertResult, LogStore, StatsStore, Store } from '../store.js'
import { GroupCommit } from '../group-commit.js'
import { SqliteThread, threadError, type BatchOutcome } from './sqlite-rpc.js'
import { DEFAULT_CHECKPOINTS, type CheckpointSettings } from './wal-checkpoint.js'

/** At most this many events per group transaction: ten seed batches, about 3 MB. */
const GROUP_COMMIT_MAX_EVENTS = 2000
/**
 * Reading connections, each in its own thread. WAL lets them read side by side: the dashboard's
 * per-project queries, or a search and the overview, no longer queue behind one another.
 */
const READERS = 2

/**
 * SQLite through better-sqlite3, off the event loop: one thread holds the writing connection
 * (every INSERT, UPDATE, DELETE and transaction, in order), two others a reading connection each.
 * WAL lets the readers see each commit at once without waiting for the writer. Multi-statement writes
 * run as one synchronous transaction inside the writer thread, so nothing interleaves with them.
 * One more thread only checkpoints the WAL, so no batch or read ever waits for that fsync.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const
  readonly projects
  readonly logs: LogStore
  readonly stats: StatsStore
  readonly alerts: AlertStore
  readonly limits: LimitStore
  readonly maintenance: MaintenanceStore
  #writer: SqliteThread
  #readers: SqliteThread[]
  #checkpointer: SqliteThread
  #runner: SqlRunner
  #inserts: GroupCommit<InsertCall, InsertResult>

  /** `checkpoints` is for tests: how often, and past what WAL length, the WAL is copied back. */
  constructor (path: string, checkpoints: CheckpointSettings = DEFAULT_CHECKPOINTS) {
    if (path === ':memory:' || path === '') throw new Error('SQLite needs a file path (its connections live in threads of their own)')
    mkdirSync(dirname(path), { recursive: true })
    const restartWanted = new Int32Array(new SharedArrayBuffer(4))
    this.#writer = new SqliteThread(path, 'writer', restartWanted)
    this.#readers = Array.from({ length: READERS }, () => new SqliteThread(path, 'reader', restartWanted))
    this.#checkpointer = new SqliteThread(path, 'checkpointer', restartWanted, checkpoints)
    this.#runner = {
      dialect: 'sqlite',
      all: <T>(sql: string, params: SqlValue[] = []) => this.#idlestReader().call<T[]>({ op: 'all', sql, params }),
      run: (sql: string, params: SqlValue[] = []) => this.#writer.call<RunResult>({ op: 'run', sql, params })
    }
    this.#inserts = new GroupCommit<InsertCall, InsertResult>(async (batches) => {
      const outcomes = await this.#writer.call<BatchOutcome[]>({ op: 'insertBatches', batches })
      return outcomes.map((o) => o.ok
        ? o
        : { ok: false, error: threadError(o) })
    }, GROUP_COMMIT_MAX_EVENTS)
    this.alerts = createAlertStore(this.#runner)
    this.projects = createProjectStore(this.#runner, (id) => this.alerts.removeProject(id))
    this.stats = createStatsStore(this.#runner)
    this.logs = {
      insertBatch: (projectId, batchId, events, now, eventLimit = 0) =>
        this.#inserts.submit({ item: { projectId, batchId, events, now, eventLimit }, size: events.length }),
      search: (query) => searchLogs(this.#runner, query, 'tekno_lower'),
      findBatch: (projectId, batchId) => findBatch(this.#runner, projectId, batchId)
    }
    this.limits = createLimitStore(this.#runner)
    this.maintenance = createMaintenanceStore(this.#runner)
  }

  /** The reader with the fewest calls waiting: a long search does not hold up the overview's reads. */
  #idlestReader (): SqliteThread {
    let best = this.#readers[0] as SqliteThread
    for (const r of this.#readers) if (r.waiting < best.waiting) best = r
    return best
  }

  async migrate (): Promise<string[]> {
    return this.#writer.call<string[]>({ op: 'migrate', migrations: await loadMigrations('sqlite') })
  }

  async ping (): Promise<void> {
    await this.#runner.all('SELECT 1')
  }

  async close (): Promise<void> {
    await Promise.all([this.#writer.close(), ...this.#readers.map((r) => r.close()), this.#checkpointer.close()])
  }
}

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { StorageUnavailableError } from '../../errors.js'
import { createAlertStore } from '../alert-store.js'
import type { StoredEvent } from '../../ingest/validate.js'
import type { AlertStore } from '../store.js'
import { findBatch, searchLogs } from '../log-search.js'
import { loadMigrations } from '../migrations.js'
import { createLimitStore, type LimitStore } from '../limit-store.js'
import { createMaintenanceStore, type MaintenanceStore } from '../maintenance-store.js'
import { createProjectStore } from '../project-store.js'
import type { RunResult, SqlRunner, SqlValue } from '../sql-runner.js'
import { createStatsStore } from '../stats-store.js'
import type { InsertResult, LogStore, StatsStore, Store } from '../store.js'

const STATEMENT_CACHE_MAX = 256

/**
 * SQLite through better-sqlite3: synchronous calls behind the async Store interface, so every
 * multi-statement write is one synchronous transaction that nothing else can interleave with.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const
  readonly projects
  readonly logs: LogStore
  readonly stats: StatsStore
  readonly alerts: AlertStore
  readonly limits: LimitStore
  readonly maintenance: MaintenanceStore
  #db: Database.Database
  #statements = new Map<string, Database.Statement>()
  #runner: SqlRunner

  constructor (path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.#db = new Database(path)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.pragma('busy_timeout = 5000')
    // SQLite's lower() only folds ASCII; MySQL's LOWER() folds Unicode. Same rows on both.
    this.#db.function('tekno_lower', { deterministic: true }, (s: unknown) => typeof s === 'string' ? s.toLowerCase() : s)

    const guard = <T>(fn: () => T): Promise<T> => {
      try { return Promise.resolve(fn()) } catch (err) { return Promise.reject(new StorageUnavailableError(err)) }
    }
    this.#runner = {
      dialect: 'sqlite',
      all: <T>(sql: string, params: SqlValue[] = []) => guard(() => this.#prepare(sql).all(...params) as T[]),
      run: (sql: string, params: SqlValue[] = []) => guard((): RunResult => {
        const r = this.#prepare(sql).run(...params)
        return { affectedRows: r.changes, insertId: Number(r.lastInsertRowid) }
      })
    }
    this.alerts = createAlertStore(this.#runner)
    this.projects = createProjectStore(this.#runner,
      (id) => guard(() => this.#removeProjectData(id)).then(() => this.alerts.removeProject(id)))
    this.stats = createStatsStore(this.#runner)
    this.logs = {
      insertBatch: (projectId, batchId, events, now) => guard(() => this.#insertBatch(projectId, batchId, events, now)),
      search: (query) => searchLogs(this.#runner, query, 'tekno_lower'),
      findBatch: (projectId, batchId) => findBatch(this.#runner, projectId, batchId)
    }
    this.limits = createLimitStore(this.#runner)
    this.maintenance = createMaintenanceStore(this.#runner)
  }

  #prepare (sql: string): Database.Statement {
    let stmt = this.#statements.get(sql)
    if (stmt === undefined) {
      if (this.#statements.size >= STATEMENT_CACHE_MAX) this.#statements.clear()
      stmt = this.#db.prepare(sql)
      this.#statements.set(sql, stmt)
    }
    return stmt
  }

  #insertBatch (projectId: number, batchId: string | null, events: StoredEvent[], now: number): InsertResult {
    return this.#db.transaction((): InsertResult => {
      if (batchId !== null) {
        const seen = this.#prepare('SELECT accepted FROM batches WHERE project_id = ? AND batch_id = ?')
          .get(projectId, batchId) as { accepted: number } | undefined
        if (seen !== undefined) return { accepted: seen.accepted, duplicate: true }
        this.#prepare('INSERT INTO batches (project_id, batch_id, accepted, received_at) VALUES (?, ?, ?, ?)')
          .run(projectId, batchId, events.length, now)
      }
      const insert = this.#prepare('INSERT INTO logs (project_id, ts, received_at, level, message, source, ' +
        'fingerprint, stack, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      for (const e of events) {
        insert.run(projectId, e.ts, now, e.level, e.message, e.source, e.fingerprint, e.stack, e.context)
      }
      return { accepted: events.length, duplicate: false }
    }).immediate()
  }

  #removeProjectData (projectId: number): void {
    this.#db.transaction(() => {
      this.#prepare('DELETE FROM logs WHERE project_id = ?').run(projectId)
      this.#prepare('DELETE FROM batches WHERE project_id = ?').run(projectId)
    }).immediate()
  }

  async migrate (): Promise<string[]> {
    const migrations = await loadMigrations('sqlite')
    try {
      // IMMEDIATE takes the write lock first, so a second process starting at the same moment
      // waits (busy_timeout) and then finds the migrations already recorded.
      return this.#db.transaction(() => {
        this.#db.exec('CREATE TABLE IF NOT EXISTS tekno_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
        const done = new Set((this.#db.prepare('SELECT version FROM tekno_migrations').all() as Array<{ version: number }>).map((r) => r.version))
        const applied: string[] = []
        for (const m of migrations) {
          if (done.has(m.version)) continue
          this.#db.exec(m.sql)
          this.#db.prepare('INSERT INTO tekno_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now())
          applied.push(m.name)
        }
        return applied
      }).immediate()
    } finally {
      this.#statements.clear()
    }
  }

  async ping (): Promise<void> {
    await this.#runner.all('SELECT 1')
  }

  async close (): Promise<void> {
    if (this.#db.open) this.#db.close()
  }
}

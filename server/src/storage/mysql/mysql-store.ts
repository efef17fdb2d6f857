import mysql from 'mysql2/promise'
import { StorageUnavailableError } from '../../errors.js'
import { createAlertStore } from '../alert-store.js'
import type { AlertStore } from '../store.js'
import { findBatch, searchLogs } from '../log-search.js'
import { loadMigrations, splitStatements } from '../migrations.js'
import { admitStatement, createLimitStore, type LimitStore } from '../limit-store.js'
import { createMaintenanceStore, type MaintenanceStore } from '../maintenance-store.js'
import { createProjectStore } from '../project-store.js'
import { GroupCommit, type ItemOutcome } from '../group-commit.js'
import { GroupRollups, rollupRows } from '../rollup-rows.js'
import { insertBudget, insertSizes, rowBytes } from './insert-chunks.js'
import { TextBitsCache, writeRollupsAsync, type AsyncSql } from '../rollup-store.js'
import type { SqlRunner, SqlValue } from '../sql-runner.js'
import { createStatsStore } from '../stats-store.js'
import { OVER_LIMIT, type InsertCall, type InsertResult, type LogStore, type ProjectStore, type StatsStore, type Store } from '../store.js'

const QUERY_TIMEOUT_MS = 15_000
const MIGRATION_LOCK = 'tekno_logger_migrate'
/** Events one group transaction carries at most: ten seed batches. */
const GROUP_COMMIT_MAX_EVENTS = 2000
/** How long a project whose limit refused a batch has its batches admitted before they are written. */
const REFUSED_RECENTLY_MS = 1000
/** Bytes one event INSERT carries at most, below the server's own max_allowed_packet: bounds the packet this process builds. */
const MAX_INSERT_BYTES = 8 * 1024 * 1024

/** Thrown inside a transaction to roll it back when an event limit refuses what it wrote. */
class OverLimitRefusal extends Error {}
/** Thrown inside a group's transaction when one of its batch ids was seen before: each batch goes alone. */
class RepeatedBatchId extends Error {}

export interface MysqlOptions {
  connectionLimit?: number
  /** Bytes one event INSERT carries at most (default 8 MiB); the server's max_allowed_packet, less some room, caps it too. */
  maxInsertBytes?: number
}

/**
 * MySQL/MariaDB through a mysql2 pool. Every driver failure surfaces as StorageUnavailableError
 * so ingestion answers 503 and the pool reconnects on its own once the database is back.
 */
export class MysqlStore implements Store {
  readonly kind = 'mysql' as const
  readonly projects: ProjectStore
  readonly logs: LogStore
  readonly stats: StatsStore
  readonly alerts: AlertStore
  readonly limits: LimitStore
  readonly maintenance: MaintenanceStore
  #pool: mysql.Pool
  #runner: SqlRunner
  #textBits = new TextBitsCache()
  #inserts: GroupCommit<InsertCall, InsertResult>
  /** Project id → until when its batches go alone, admission first (see #insertGroup). */
  #refusedUntil = new Map<number, number>()
  #maxInsertBytes: number
  #insertBudget: Promise<number> | undefined

  constructor (url: string, options: MysqlOptions = {}) {
    this.#maxInsertBytes = options.maxInsertBytes ?? MAX_INSERT_BYTES
    this.#pool = mysql.createPool({
      uri: url,
      connectionLimit: options.connectionLimit ?? 10,
      maxIdle: 2,
      idleTimeout: 60_000,
      charset: 'UTF8MB4_BIN',
      connectTimeout: 5_000,
      enableKeepAlive: true,
      supportBigNumbers: true,
      multipleStatements: false,
      // mysql2 otherwise captures a stack trace on every query so that a driver error points at
      // its caller: 30 µs a call on the ingest path, 0.3 ms of CPU a batch (receiver profile,
      // about ten statements). A failure here is always wrapped in StorageUnavailableError, whose
      // own stack shows the caller, with the driver's code and message as its cause.
      trace: false,
      // The event INSERT is prepared once per row count (insert-chunks.ts) per connection; the
      // cap keeps a pool's server-side statements well under max_prepared_stmt_count, which
      // every client of the server shares.
      maxPreparedStatements: 64
    })
    this.#runner = {
      dialect: 'mysql',
      all: async <T>(sql: string, params: SqlValue[] = []) => {
        const [rows] = await this.#guard(() => this.#pool.query({ sql, timeout: QUERY_TIMEOUT_MS }, params))
        return rows as T[]
      },
      run: async (sql: string, params: SqlValue[] = []) => {
        const [res] = await this.#guard(() => this.#pool.query<mysql.ResultSetHeader>({ sql, timeout: QUERY_TIMEOUT_MS }, params))
        return { affectedRows: res.affectedRows, insertId: Number(res.insertId) }
      }
    }
    this.alerts = createAlertStore(this.#runner)
    this.projects = createProjectStore(this.#runner, (id) => this.alerts.removeProject(id))
    this.stats = createStatsStore(this.#runner)
    this.#inserts = new GroupCommit<InsertCall, InsertResult>((calls) => this.#insertGroup(calls), GROUP_COMMIT_MAX_EVENTS)
    this.logs = {
      insertBatch: (projectId, batchId, events, now, eventLimit = 0) =>
        this.#inserts.submit({ item: { projectId, batchId, events, now, eventLimit }, size: events.length }),
      search: (query) => searchLogs(this.#runner, query, 'LOWER'),
      findBatch: (projectId, batchId) => findBatch(this.#runner, projectId, batchId)
    }
    this.limits = createLimitStore(this.#runner)
    this.maintenance = createMaintenanceStore(this.#runner)
  }

  /**
   * Bytes one event INSERT may carry, from the server's max_allowed_packet, read once. A server
   * that refuses the question gets the smallest default; a lost connection is asked again next time.
   */
  #insertBytes (): Promise<number> {
    this.#insertBudget ??= this.#runner.all<{ packet: unknown }>('SELECT @@max_allowed_packet AS packet')
      .then(([row]) => insertBudget(row?.packet, this.#maxInsertBytes))
      .catch((err: unknown) => {
        const cause = (err as { cause?: { errno?: number, fatal?: boolean } }).cause
        if (cause?.errno !== undefined && cause.fatal !== true) return insertBudget(undefined, this.#maxInsertBytes)
        this.#insertBudget = undefined
        throw err
      })
    return this.#insertBudget
  }

  async #guard<T> (fn: () => Promise<T>): Promise<T> {
    try { return await fn() } catch (err) { throw new StorageUnavailableError(err) }
  }

  async #transaction<T> (fn: (conn: mysql.PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.#guard(() => this.#pool.getConnection())
    try {
      await this.#guard(() => conn.beginTransaction())
      const result = await fn(conn)
      await this.#guard(() => conn.commit())
      return result
    } catch (err) {
      // A failed rollback means the connection is broken; destroy it rather than reuse it.
      await conn.rollback().catch(() => conn.destroy())
      throw err instanceof StorageUnavailableError || err instanceof OverLimitRefusal || err instanceof RepeatedBatchId ? err : new StorageUnavailableError(err)
    } finally {
      conn.release()
    }
  }

  /**
   * Batches that arrive together (GroupCommit) go in one transaction: their batch ids claimed in
   * one INSERT, their events in a few multi-row INSERTs (insertLogRows), then each project's event
   * limit checked and counted once for all its batches, then the group's rollups added up per
   * project and written once, then one commit.
   * Against a transaction per batch, six seed batches together cost MariaDB 7.3-7.6 ms of CPU a
   * batch instead of 8.6-8.9, and this process 2.4-2.5 ms instead of 3.2-4.8 (a scratch script on a
   * 2-core Xeon VM). Counting the limit here rather than in a commit of its own first makes a batch
   * count if and only if it is stored (no throughput change could be told from the noise: eight
   * alternating sustained runs each way on a 2-core EPYC VM).
   *
   * A group that fails for a reason other than a lost connection, that carries a batch id seen
   * before, or whose batches together do not fit a project's limit, is rolled back and each of its
   * batches tried again alone, admission first (#insertAlone): one the database refuses fails
   * alone, and exactly the batches that fit, in turn, are stored. A lone batch goes that way directly, and so do, for a second, the batches
   * of a project whose limit refused one: likely refused again, they then cost a counter read
   * rather than a batch written and rolled back.
   */
  async #insertGroup (calls: InsertCall[]): Promise<Array<ItemOutcome<InsertResult>>> {
    const now = Date.now()
    const alone = calls.length === 1 ? [...calls] : calls.filter((c) => c.eventLimit > 0 && (this.#refusedUntil.get(c.projectId) ?? 0) > now)
    const together = calls.filter((c) => !alone.includes(c))
    const outcomes = new Map<InsertCall, ItemOutcome<InsertResult>>()
    if (together.length > 0) {
      try {
        const values = await this.#retryingDeadlocks(() => this.#insertTogether(together))
        together.forEach((call, i) => outcomes.set(call, { ok: true, value: values[i] as InsertResult }))
      } catch (err) {
        const fatal = (err as { cause?: { fatal?: boolean } }).cause?.fatal === true
        if (fatal) together.forEach((call) => outcomes.set(call, { ok: false, error: err as Error }))
        else alone.push(...together)
      }
    }
    // In turn, in the order they arrived: the first to fit is stored first, as one at a time would be.
    alone.sort((a, b) => calls.indexOf(a) - calls.indexOf(b))
    for (const call of alone) {
      try {
        outcomes.set(call, { ok: true, value: await this.#retryingDeadlocks(() => this.#insertAlone(call)) })
      } catch (error) {
        outcomes.set(call, { ok: false, error: error as Error })
      }
    }
    return calls.map((call) => outcomes.get(call) as ItemOutcome<InsertResult>)
  }

  async #retryingDeadlocks<T> (fn: () => Promise<T>): Promise<T> {
    // InnoDB may pick this transaction as a deadlock victim (a concurrent purge touching the same
    // index pages); it was rolled back whole, so running it again is safe.
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code
        if ((code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') || attempt >= 3) throw err
      }
    }
  }

  /**
   * Every transaction takes its locks in one order, so none waits in a cycle: batch ids, then
   * (after the rows, which lock nothing shared) rate counters by project, then rollup rows by
   * project. The counters are held only from their statement to the commit that follows. The one
   * deadlock left is two transactions meeting a project window with no counter row yet (they can
   * share its gap lock, see limit-store.ts); the victim is rolled back whole and run again.
   */
  async #insertTogether (calls: InsertCall[]): Promise<InsertResult[]> {
    const maxBytes = await this.#insertBytes()
    return await this.#transaction(async (conn) => {
      const results: InsertResult[] = []
      const rollups = new GroupRollups()
      const counted = new Map<number, { events: number, limit: number, now: number }>()
      if (!await claimNewBatchIds(conn, calls)) throw new RepeatedBatchId()
      await insertLogRows(conn, calls, maxBytes)
      for (const call of calls) {
        const { projectId, events, now } = call
        rollups.add(projectId, events, now)
        results.push({ accepted: events.length, duplicate: false })
        if (call.eventLimit > 0) {
          const c = counted.get(projectId) ?? { events: 0, limit: call.eventLimit, now }
          // All of them fit the strictest limit any of them was sent with, or the group is refused
          // and each batch is judged alone.
          counted.set(projectId, { events: c.events + events.length, limit: Math.min(c.limit, call.eventLimit), now: Math.max(c.now, now) })
        }
      }
      for (const [projectId, c] of [...counted].sort((a, b) => a[0] - b[0])) {
        if (!await admitOn(conn, projectId, c.events, c.limit, c.now)) throw new OverLimitRefusal()
      }
      for (const [projectId, rows] of rollups.byProject()) await writeRollupsAsync(onConnection(conn), projectId, rows, this.#textBits)
      return results
    })
  }

  /** One batch in its own transaction, counted against its limit before its rows are written. */
  async #insertAlone (call: InsertCall): Promise<InsertResult> {
    const maxBytes = await this.#insertBytes()
    try {
      return await this.#transaction(async (conn) => {
        const { projectId, events, now } = call
        const duplicate = await claimBatchId(conn, call)
        if (duplicate !== null) return duplicate
        if (call.eventLimit > 0 && !await admitOn(conn, projectId, events.length, call.eventLimit, now)) throw new OverLimitRefusal()
        await insertLogRows(conn, [call], maxBytes)
        await writeRollupsAsync(onConnection(conn), projectId, rollupRows(events, now), this.#textBits)
        return { accepted: events.length, duplicate: false }
      })
    } catch (err) {
      if (!(err instanceof OverLimitRefusal)) throw err
      this.#refusedUntil.set(call.projectId, Date.now() + REFUSED_RECENTLY_MS)
      return OVER_LIMIT
    }
  }

  async migrate (): Promise<string[]> {
    const migrations = await loadMigrations('mysql')
    const conn = await this.#guard(() => this.#pool.getConnection())
    try {
      // DDL commits implicitly in MySQL, so a transaction cannot serialise two starting
      // processes; a named lock held by this connection does.
      const [lock] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 60) AS got', [MIGRATION_LOCK])
      if (Number(lock[0]?.got) !== 1) throw new Error('timed out waiting for the migration lock')
      try {
        await conn.query('CREATE TABLE IF NOT EXISTS tekno_migrations (version INT NOT NULL PRIMARY KEY, ' +
          'name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB')
        const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT version FROM tekno_migrations')
        const done = new Set(rows.map((r) => Number(r.version)))
        const applied: string[] = []
        for (const m of migrations) {
          if (done.has(m.version)) continue
          for (const statement of splitStatements(m.sql)) await conn.query(statement)
          await conn.query('INSERT INTO tekno_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()])
          applied.push(m.name)
        }
        return applied
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK])
      }
    } finally {
      conn.release()
    }
  }

  poolStats (): { total: number, free: number, queued: number } | undefined {
    // mysql2 exposes no public pool counters; these fields have been stable across its 3.x line.
    const inner = (this.#pool as unknown as { pool?: { _allConnections?: { length: number }, _freeConnections?: { length: number }, _connectionQueue?: { length: number } } }).pool
    if (inner === undefined) return undefined
    return { total: inner._allConnections?.length ?? 0, free: inner._freeConnections?.length ?? 0, queued: inner._connectionQueue?.length ?? 0 }
  }

  async ping (): Promise<void> {
    await this.#runner.all('SELECT 1')
  }

  async close (): Promise<void> {
    await this.#pool.end()
  }
}

const LOG_COLUMNS = '(project_id, ts, received_at, level, message, source, fingerprint, stack, context)'
const ROW_MARKS = '(?, ?, ?, ?, ?, ?, ?, ?, ?)'
const insertSql = new Map<number, string>()

/**
 * The events of `batches` (a group commit's, or one batch's) in order, in prepared multi-row
 * INSERTs (binary protocol) of the row counts insertSizes picks.
 * Prepared rather than `query()` with the rows escaped into SQL text: escaping a 300 KB batch cost
 * 1.3 ms of CPU and built a second copy of it, and the prepared form stored 33 k events/s against
 * 22 k from one connection (measured with the seed batch).
 * Several batches to an INSERT rather than one each: every statement is a round trip that waits
 * behind whatever this thread is parsing, while the database's thread idles. At 50 connections
 * (groups of ten seed batches), two INSERTs a group instead of ten took the receiver from
 * 21.3-22.5 k to 23.8-24.5 k events/s, and the machine from 79 % to 86-88 % busy (three
 * alternating runs each, 2-core Xeon VM). One 2000-row INSERT gave 24.1-26.7 k in five runs, no
 * clear gain over two, and such a statement holds 8.4 MB of the server's memory on every
 * connection that prepared it.
 * The statement text is cached per row count; mysql2 caches the prepared handle.
 */
async function insertLogRows (conn: mysql.PoolConnection, batches: readonly InsertCall[], maxBytes: number): Promise<void> {
  const bytes: number[] = []
  for (const { events } of batches) for (const e of events) bytes.push(rowBytes(e))
  let b = 0
  let e = 0
  for (const n of insertSizes(bytes, maxBytes)) {
    const params: SqlValue[] = new Array(n * 9)
    let i = 0
    while (i < params.length) {
      const batch = batches[b] as InsertCall
      const event = batch.events[e++]
      if (event === undefined) {
        b++
        e = 0
        continue
      }
      params[i++] = batch.projectId
      params[i++] = event.ts
      params[i++] = batch.now
      params[i++] = event.level
      params[i++] = event.message
      params[i++] = event.source
      params[i++] = event.fingerprint
      params[i++] = event.stack
      params[i++] = event.context
    }
    await conn.execute({ sql: insertSqlFor(n), timeout: QUERY_TIMEOUT_MS }, params)
  }
}

function insertSqlFor (rows: number): string {
  let sql = insertSql.get(rows)
  if (sql === undefined) {
    sql = `INSERT INTO logs ${LOG_COLUMNS} VALUES ${Array.from({ length: rows }, () => ROW_MARKS).join(', ')}`
    insertSql.set(rows, sql)
  }
  return sql
}

/**
 * Inserts the batch's id, which takes its key lock: a concurrent retry of the same batch waits
 * here, then sees the duplicate instead of storing the events twice. Returns the duplicate's
 * answer, or null for a new id.
 */
async function claimBatchId (conn: mysql.PoolConnection, { projectId, batchId, events, now }: InsertCall): Promise<InsertResult | null> {
  if (batchId === null) return null
  const [res] = await conn.query<mysql.ResultSetHeader>({
    sql: 'INSERT IGNORE INTO batches (project_id, batch_id, accepted, received_at) VALUES (?, ?, ?, ?)',
    timeout: QUERY_TIMEOUT_MS
  }, [projectId, batchId, events.length, now])
  if (res.affectedRows > 0) return null
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT accepted FROM batches WHERE project_id = ? AND batch_id = ?', [projectId, batchId])
  return { accepted: Number(rows[0]?.accepted ?? 0), duplicate: true }
}

/**
 * Claims the batch ids of a group in one INSERT IGNORE, in key order. True when every one was
 * new. Otherwise (a retry of a stored batch, or one id twice in the group) the caller rolls back,
 * having written nothing yet, and each batch goes alone, where claimBatchId answers the duplicate.
 * Against a statement per batch this saves a round trip for every batch but the first.
 */
async function claimNewBatchIds (conn: mysql.PoolConnection, calls: InsertCall[]): Promise<boolean> {
  const claims = calls.filter((c) => c.batchId !== null)
    .sort((a, b) => a.projectId - b.projectId || (a.batchId! < b.batchId! ? -1 : a.batchId! > b.batchId! ? 1 : 0))
  if (claims.length === 0) return true
  const params: SqlValue[] = []
  for (const { projectId, batchId, events, now } of claims) params.push(projectId, batchId, events.length, now)
  const [res] = await conn.query<mysql.ResultSetHeader>({
    sql: `INSERT IGNORE INTO batches (project_id, batch_id, accepted, received_at) VALUES ${claims.map(() => '(?, ?, ?, ?)').join(', ')}`,
    timeout: QUERY_TIMEOUT_MS
  }, params)
  return res.affectedRows === claims.length
}

/** Counts `events` against the project's limit inside the open transaction; false when they do not fit. */
async function admitOn (conn: mysql.PoolConnection, projectId: number, events: number, limit: number, now: number): Promise<boolean> {
  const { sql, params } = admitStatement('mysql', 'project', String(projectId), events, limit, now)
  const [res] = await conn.query<mysql.ResultSetHeader>({ sql, timeout: QUERY_TIMEOUT_MS }, params)
  return res.affectedRows > 0
}

/** The rollup writes of a batch, on the batch's connection and so inside its transaction. */
function onConnection (conn: mysql.PoolConnection): AsyncSql {
  return {
    all: async (sql, params) => (await conn.query<mysql.RowDataPacket[]>({ sql, timeout: QUERY_TIMEOUT_MS }, params))[0],
    run: async (sql, params) => { await conn.query({ sql, timeout: QUERY_TIMEOUT_MS }, params) }
  }
}

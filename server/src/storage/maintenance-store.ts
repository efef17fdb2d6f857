import type { SqlRunner, SqlValue } from './sql-runner.js'

export interface MaintenanceRun {
  holder: string
  trigger: string
  started_at: number
  duration_ms: number
  ok: boolean
  logs_purged: number
  batches_purged: number
  counters_purged: number
  alert_state_purged: number
  error: string | null
}

export interface LeaseState {
  holder: string | null
  expires_at: number
  last_started_at: number | null
}

export interface MaintenanceStore {
  /**
   * Claims the lease when it is free (expired) and, unless forced, the last run started at least
   * `minIntervalMs` ago. One conditional UPDATE: exactly one receiver wins a race.
   */
  tryAcquire (holder: string, now: number, leaseMs: number, minIntervalMs: number | null): Promise<boolean>
  /** Pushes the expiry forward while a long run is still working. */
  extend (holder: string, expiresAt: number): Promise<void>
  release (holder: string): Promise<void>
  lease (): Promise<LeaseState>
  /** Deletes at most `limit` events of the project older than `cutoff`; returns how many. */
  purgeLogs (projectId: number, cutoff: number, limit: number): Promise<number>
  purgeBatches (projectId: number, cutoff: number, limit: number): Promise<number>
  purgeCounters (cutoff: number, limit: number): Promise<number>
  recordRun (run: MaintenanceRun, keep: number): Promise<void>
  recentRuns (limit: number): Promise<MaintenanceRun[]>
}

export function createMaintenanceStore (db: SqlRunner): MaintenanceStore {
  // Bounded deletes keep each transaction short, so a big purge never holds a long lock.
  // SQLite has no DELETE … LIMIT in its default build, so it deletes by a limited key subquery.
  const boundedDelete = async (table: string, keys: string, where: string, params: SqlValue[], limit: number): Promise<number> => {
    const sql = db.dialect === 'mysql'
      ? `DELETE FROM ${table} WHERE ${where} LIMIT ${limit}`
      : `DELETE FROM ${table} WHERE (${keys}) IN (SELECT ${keys} FROM ${table} WHERE ${where} LIMIT ${limit})`
    return (await db.run(sql, params)).affectedRows
  }

  return {
    async tryAcquire (holder, now, leaseMs, minIntervalMs) {
      const due = minIntervalMs === null ? '' : ' AND (last_started_at IS NULL OR last_started_at <= ?)'
      const params: SqlValue[] = [holder, now + leaseMs, now, now]
      if (minIntervalMs !== null) params.push(now - minIntervalMs)
      const res = await db.run('UPDATE maintenance_lease SET holder = ?, expires_at = ?, last_started_at = ? ' +
        `WHERE name = 'maintenance' AND expires_at <= ?${due}`, params)
      return res.affectedRows === 1
    },

    async extend (holder, expiresAt) {
      await db.run("UPDATE maintenance_lease SET expires_at = ? WHERE name = 'maintenance' AND holder = ?", [expiresAt, holder])
    },

    async release (holder) {
      await db.run("UPDATE maintenance_lease SET expires_at = 0 WHERE name = 'maintenance' AND holder = ?", [holder])
    },

    async lease () {
      const rows = await db.all<LeaseState>("SELECT holder, expires_at, last_started_at FROM maintenance_lease WHERE name = 'maintenance'")
      const r = rows[0]
      return {
        holder: r?.holder ?? null,
        expires_at: Number(r?.expires_at ?? 0),
        last_started_at: r?.last_started_at == null ? null : Number(r.last_started_at)
      }
    },

    purgeLogs: (projectId, cutoff, limit) =>
      boundedDelete('logs', 'id', 'project_id = ? AND ts < ?', [projectId, cutoff], limit),

    purgeBatches: (projectId, cutoff, limit) =>
      boundedDelete('batches', 'project_id, batch_id', 'project_id = ? AND received_at < ?', [projectId, cutoff], limit),

    purgeCounters: (cutoff, limit) =>
      boundedDelete('rate_counters', 'scope, subject, window_start', 'window_start < ?', [cutoff], limit),

    async recordRun (run, keep) {
      const res = await db.run('INSERT INTO maintenance_runs (holder, trigger_name, started_at, duration_ms, ok, logs_purged, ' +
        'batches_purged, counters_purged, alert_state_purged, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [run.holder, run.trigger, run.started_at, run.duration_ms, run.ok ? 1 : 0, run.logs_purged, run.batches_purged,
        run.counters_purged, run.alert_state_purged, run.error])
      await db.run('DELETE FROM maintenance_runs WHERE id <= ?', [res.insertId - keep])
    },

    async recentRuns (limit) {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT holder, trigger_name, started_at, duration_ms, ok, logs_purged, batches_purged, counters_purged, alert_state_purged, error FROM maintenance_runs ORDER BY id DESC LIMIT ${Math.trunc(limit)}`)
      return rows.map((r) => ({
        holder: String(r.holder),
        trigger: String(r.trigger_name),
        started_at: Number(r.started_at),
        duration_ms: Number(r.duration_ms),
        ok: Number(r.ok) === 1,
        logs_purged: Number(r.logs_purged),
        batches_purged: Number(r.batches_purged),
        counters_purged: Number(r.counters_purged),
        alert_state_purged: Number(r.alert_state_purged),
        error: r.error == null ? null : String(r.error)
      }))
    }
  }
}

import { purgeRollups } from './rollup-store.js'
import { boundedDelete, placeholders, type SqlRunner, type SqlValue } from './sql-runner.js'

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

export interface PurgePosition {
  ts: number
  id: number
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
  /**
   * Deletes at most `limit` events of the project older than `cutoff`, continuing after the
   * position the previous call returned, then (at most `limit` rows a table a call) the rollup
   * rows of buckets wholly before `cutoff`; `next` is null once nothing older is left.
   */
  purgeLogs (projectId: number, cutoff: number, limit: number, after: PurgePosition | null): Promise<{ deleted: number, next: PurgePosition | null }>
  purgeBatches (projectId: number, cutoff: number, limit: number): Promise<number>
  purgeCounters (cutoff: number, limit: number): Promise<number>
  recordRun (run: MaintenanceRun, keep: number): Promise<void>
  recentRuns (limit: number): Promise<MaintenanceRun[]>
}

/** Rows per DELETE statement when purging events (see purgeLogs). */
export const PURGE_SLICE = 500

export function createMaintenanceStore (db: SqlRunner): MaintenanceStore {
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

    // Ids are found by walking the (project_id, ts, id) index forward from the last position, then
    // deleted by primary key. A plain `DELETE … WHERE ts < ? LIMIT n` rescans InnoDB's
    // delete-marked rows on every batch (each slower than the last) and takes gap locks that make
    // concurrent inserts wait; this takes record locks on old rows only, on both databases.
    async purgeLogs (projectId, cutoff, limit, after) {
      const rows = after === null
        ? await db.all<{ id: number, ts: number }>(
          `SELECT id, ts FROM logs WHERE project_id = ? AND ts < ? ORDER BY ts, id LIMIT ${Math.trunc(limit)}`, [projectId, cutoff])
        : await db.all<{ id: number, ts: number }>(
          'SELECT id, ts FROM logs WHERE project_id = ? AND ts < ? AND (ts > ? OR (ts = ? AND id > ?)) ' +
          `ORDER BY ts, id LIMIT ${Math.trunc(limit)}`, [projectId, cutoff, after.ts, after.ts, after.id])
      let deleted = 0
      if (rows.length > 0) {
        const ids = rows.map((r) => Number(r.id))
        // Deleted a slice at a time, each its own statement: SQLite's single writer takes the
        // batches waiting behind a slice before the next one, and InnoDB holds locks and undo
        // for one slice only, so ingest waits milliseconds, not the whole batch of deletes.
        for (let i = 0; i < ids.length; i += PURGE_SLICE) {
          const slice = ids.slice(i, i + PURGE_SLICE)
          deleted += (await db.run(`DELETE FROM logs WHERE id IN (${placeholders(slice.length)})`, slice)).affectedRows
        }
        const last = rows[rows.length - 1] as { id: number, ts: number }
        if (rows.length >= limit) return { deleted, next: { ts: Number(last.ts), id: Number(last.id) } }
      }
      // Rollup rows go once the events they count are gone (never before: a search skips a text
      // bucket that has no row), in batches of `limit` too. While some remain, `next` stays set
      // so the caller comes back; a position at the cutoff finds no more events.
      const rollups = await purgeRollups(db, projectId, cutoff, limit)
      return { deleted, next: rollups.more ? { ts: cutoff, id: 0 } : null }
    },

    purgeBatches: (projectId, cutoff, limit) =>
      boundedDelete(db, 'batches', 'project_id, batch_id', 'project_id = ? AND received_at < ?', [projectId, cutoff], limit),

    purgeCounters: (cutoff, limit) =>
      boundedDelete(db, 'rate_counters', 'scope, subject, window_start', 'window_start < ?', [cutoff], limit),

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

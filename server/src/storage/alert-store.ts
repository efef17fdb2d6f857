import { LEVEL_NUMBERS } from '../ingest/levels.js'
import { hourWindows, probe } from './fingerprint-hours.js'
import { placeholders, type SqlRunner, type SqlValue } from './sql-runner.js'
import type {
  AlertHistoryEntry, AlertHistoryInput, AlertSettingsRecord, AlertSettingsValues, AlertState, AlertStore
} from './store.js'

// Alert SQL, written once for both databases. The claims never read-then-write: each is a single
// INSERT-if-absent or a single UPDATE whose WHERE holds the condition, so the row lock (InnoDB) or
// the write lock (SQLite) decides which receiver wins and the loser sees 0 affected rows.
// mysql2 connects with CLIENT_FOUND_ROWS, so affectedRows counts rows the WHERE matched: that is
// exactly the condition, which is why no claim relies on "changed" rows.

const HISTORY_TITLE_MAX = 256
/** History outlives the state it describes by a week: it is what an operator looks back at. */
export const HISTORY_GRACE_MS = 7 * 24 * 3_600_000
const HISTORY_RESPONSE_MAX = 1000
/** Hours probed per read by seenBefore. */
const SEEN_HOURS_PER_READ = 168

interface SettingsRow {
  project_id: number
  discord_webhook_url: string | null
  spike_threshold: number
  spike_window_seconds: number
  suppression_minutes: number
  error_rate_threshold: number | null
  new_fingerprint: number
  webhook_status: string
  webhook_checked_at: number | null
  webhook_error: string | null
  updated_at: number
}

interface StateRow {
  project_id: number
  alert_key: string
  kind: string
  fingerprint: string | null
  active: number
  alerted_at: number
  suppressed_until: number
  suppressed_count: number
  followup_pending: number
  last_event_at: number | null
}

type HistoryRow = Omit<AlertHistoryEntry, never>

const nullableNumber = (v: unknown): number | null => v === null || v === undefined ? null : Number(v)

function toSettings (r: SettingsRow): AlertSettingsRecord {
  return {
    project_id: Number(r.project_id),
    discord_webhook_url: r.discord_webhook_url,
    spike_threshold: Number(r.spike_threshold),
    spike_window_seconds: Number(r.spike_window_seconds),
    suppression_minutes: Number(r.suppression_minutes),
    error_rate_threshold: nullableNumber(r.error_rate_threshold),
    new_fingerprint: Number(r.new_fingerprint) === 1,
    webhook_status: r.webhook_status === 'ok' || r.webhook_status === 'failed' ? r.webhook_status : 'unknown',
    webhook_checked_at: nullableNumber(r.webhook_checked_at),
    webhook_error: r.webhook_error,
    updated_at: Number(r.updated_at)
  }
}

function toState (r: StateRow): AlertState {
  return {
    project_id: Number(r.project_id),
    alert_key: r.alert_key,
    kind: r.kind,
    fingerprint: r.fingerprint,
    active: Number(r.active) === 1,
    alerted_at: Number(r.alerted_at),
    suppressed_until: Number(r.suppressed_until),
    suppressed_count: Number(r.suppressed_count),
    followup_pending: Number(r.followup_pending) === 1,
    last_event_at: nullableNumber(r.last_event_at)
  }
}

function toHistory (r: HistoryRow): AlertHistoryEntry {
  return {
    id: Number(r.id),
    project_id: Number(r.project_id),
    kind: r.kind,
    alert_key: r.alert_key,
    fingerprint: r.fingerprint,
    title: r.title,
    outcome: r.outcome,
    http_status: nullableNumber(r.http_status),
    attempts: Number(r.attempts),
    response: r.response,
    created_at: Number(r.created_at)
  }
}

const STATE_COLUMNS = 'project_id, alert_key, kind, fingerprint, active, alerted_at, suppressed_until, ' +
  'suppressed_count, followup_pending, last_event_at'

export function createAlertStore (db: SqlRunner): AlertStore {
  // The one statement that differs: "insert unless the key exists", reporting 1 or 0 rows.
  const insertIfAbsent = db.dialect === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO'

  async function getSettings (projectId: number): Promise<AlertSettingsRecord | null> {
    const rows = await db.all<SettingsRow>('SELECT * FROM alert_settings WHERE project_id = ?', [projectId])
    return rows[0] === undefined ? null : toSettings(rows[0])
  }

  async function getState (projectId: number, key: string): Promise<AlertState | null> {
    const rows = await db.all<StateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE project_id = ? AND alert_key = ?`, [projectId, key])
    return rows[0] === undefined ? null : toState(rows[0])
  }

  const store: AlertStore = {
    getSettings,
    getState,

    async putSettings (projectId: number, v: AlertSettingsValues, now: number): Promise<AlertSettingsRecord> {
      const values = [v.discord_webhook_url, v.spike_threshold, v.spike_window_seconds, v.suppression_minutes,
        v.error_rate_threshold, v.new_fingerprint ? 1 : 0, now]
      // A new URL starts with a clean status: a failure belonged to the old one.
      const res = await db.run('UPDATE alert_settings SET ' +
        "webhook_status = CASE WHEN discord_webhook_url = ? THEN webhook_status ELSE 'unknown' END, " +
        'webhook_error = CASE WHEN discord_webhook_url = ? THEN webhook_error ELSE NULL END, ' +
        'webhook_checked_at = CASE WHEN discord_webhook_url = ? THEN webhook_checked_at ELSE NULL END, ' +
        'discord_webhook_url = ?, spike_threshold = ?, spike_window_seconds = ?, suppression_minutes = ?, ' +
        'error_rate_threshold = ?, new_fingerprint = ?, updated_at = ? WHERE project_id = ?',
      [v.discord_webhook_url, v.discord_webhook_url, v.discord_webhook_url, ...values, projectId])
      if (res.affectedRows === 0) {
        const inserted = await db.run(`${insertIfAbsent} alert_settings (discord_webhook_url, spike_threshold, spike_window_seconds, ` +
          'suppression_minutes, error_rate_threshold, new_fingerprint, updated_at, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [...values, projectId])
        // Two first PUTs at once: the loser's insert is ignored, so it becomes an update.
        if (inserted.affectedRows === 0) return await store.putSettings(projectId, v, now)
      }
      return await getSettings(projectId) as AlertSettingsRecord
    },

    async setWebhookStatus (projectId, url, status, error, now): Promise<void> {
      await db.run('UPDATE alert_settings SET webhook_status = ?, webhook_error = ?, webhook_checked_at = ? ' +
        'WHERE project_id = ? AND discord_webhook_url = ?', [status, error, now, projectId, url])
    },

    async countErrors (q): Promise<{ count: number, first: number | null, last: number | null }> {
      // The levels as an IN list: both planners then seek (project_id, level, ts) once per level
      // from `since` and read only the window's errors; `level >= ?` would walk every error the
      // project ever kept. The fingerprint, if any, is checked on those rows.
      const levels = LEVEL_NUMBERS.filter((l) => l >= q.minLevel)
      if (levels.length === 0) return { count: 0, first: null, last: null }
      const fp = q.fingerprint === undefined ? '' : ' AND fingerprint = ?'
      const params: SqlValue[] = [q.projectId, ...levels, q.since, ...(q.fingerprint === undefined ? [] : [q.fingerprint]), q.limit]
      const rows = await db.all<{ n: number, first: number | null, last: number | null }>(
        'SELECT COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM (SELECT ts FROM logs ' +
        `WHERE project_id = ? AND level IN (${placeholders(levels.length)}) AND ts >= ?${fp} LIMIT ?) t`, params)
      const r = rows[0]
      return { count: Number(r?.n ?? 0), first: nullableNumber(r?.first), last: nullableNumber(r?.last) }
    },

    async seenBefore (projectId, fingerprint, before): Promise<boolean> {
      // The hourly fingerprint rollup (migrations 004, 005) remembers when each fingerprint was
      // first received, as long as its events are kept: a probe of its primary key per stored
      // hour (fingerprint-hours.ts), newest first, not a search of `logs`. A week of hours per
      // read: retention keeps at most three days, so one read nearly always answers.
      for await (const { hours } of hourWindows(db, { projects: [projectId], size: SEEN_HOURS_PER_READ })) {
        const { where, params } = probe([projectId], hours, fingerprint)
        const rows = await db.all(`SELECT 1 AS seen FROM log_fingerprint_hours WHERE ${where} AND first_received < ? LIMIT 1`, [...params, before])
        if (rows.length > 0) return true
      }
      return false
    },

    async claim (projectId, key, kind, fingerprint, now, suppressedUntil): Promise<boolean> {
      // Only a rate alert is "firing" until it recovers; a spike is over when its window is.
      const active = kind === 'rate' ? 1 : 0
      const inserted = await db.run(`${insertIfAbsent} alert_state (project_id, alert_key, kind, fingerprint, active, ` +
        'alerted_at, suppressed_until, suppressed_count, reported_count, followup_pending, last_event_at, updated_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?, ?)', [projectId, key, kind, fingerprint, active, now, suppressedUntil, now, now])
      if (inserted.affectedRows > 0) return true
      const updated = await db.run('UPDATE alert_state SET active = ?, alerted_at = ?, suppressed_until = ?, ' +
        'suppressed_count = 0, followup_pending = 1, last_event_at = ?, updated_at = ? ' +
        'WHERE project_id = ? AND alert_key = ? AND suppressed_until <= ? AND followup_pending = 0',
      [active, now, suppressedUntil, now, now, projectId, key, now])
      return updated.affectedRows > 0
    },

    async countSuppressed (projectId, key, n, now): Promise<boolean> {
      const res = await db.run('UPDATE alert_state SET suppressed_count = suppressed_count + ?, last_event_at = ?, updated_at = ? ' +
        'WHERE project_id = ? AND alert_key = ? AND followup_pending = 1 AND suppressed_until > ?', [n, now, now, projectId, key, now])
      return res.affectedRows > 0
    },

    async dueFollowUps (now, projectId): Promise<AlertState[]> {
      const rows = projectId === undefined
        ? await db.all<StateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE followup_pending = 1 AND suppressed_until <= ? ` +
          'ORDER BY suppressed_until LIMIT 500', [now])
        : await db.all<StateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE followup_pending = 1 AND suppressed_until <= ? ` +
          'AND project_id = ? ORDER BY suppressed_until LIMIT 500', [now, projectId])
      return rows.map(toState)
    },

    async claimFollowUp (projectId, key, now, rearmUntil): Promise<number | null> {
      // reported_count is assigned before suppressed_count is reset: MySQL evaluates SET
      // left to right with the new values, SQLite with the old ones; this order reads the same on both.
      const res = rearmUntil === null
        ? await db.run('UPDATE alert_state SET reported_count = suppressed_count, suppressed_count = 0, followup_pending = 0, ' +
          'updated_at = ? WHERE project_id = ? AND alert_key = ? AND followup_pending = 1 AND suppressed_until <= ?',
        [now, projectId, key, now])
        : await db.run('UPDATE alert_state SET reported_count = suppressed_count, suppressed_count = 0, alerted_at = ?, ' +
          'suppressed_until = ?, updated_at = ? WHERE project_id = ? AND alert_key = ? AND followup_pending = 1 AND suppressed_until <= ?',
        [now, rearmUntil, now, projectId, key, now])
      if (res.affectedRows === 0) return null
      const rows = await db.all<{ reported_count: number }>('SELECT reported_count FROM alert_state WHERE project_id = ? AND alert_key = ?',
        [projectId, key])
      return Number(rows[0]?.reported_count ?? 0)
    },

    async activeRates (projectId): Promise<AlertState[]> {
      const rows = projectId === undefined
        ? await db.all<StateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE kind = 'rate' AND active = 1 LIMIT 500`)
        : await db.all<StateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state WHERE kind = 'rate' AND active = 1 AND project_id = ?`, [projectId])
      return rows.map(toState)
    },

    async claimRecovery (projectId, key, now): Promise<boolean> {
      const res = await db.run('UPDATE alert_state SET active = 0, updated_at = ? WHERE project_id = ? AND alert_key = ? AND active = 1',
        [now, projectId, key])
      return res.affectedRows > 0
    },

    async claimFingerprint (projectId, fingerprint, now): Promise<boolean> {
      const res = await db.run(`${insertIfAbsent} alert_fingerprints (project_id, fingerprint, first_seen_at) VALUES (?, ?, ?)`,
        [projectId, fingerprint, now])
      return res.affectedRows > 0
    },

    async appendHistory (entry: AlertHistoryInput): Promise<AlertHistoryEntry> {
      const row = {
        ...entry,
        title: entry.title.slice(0, HISTORY_TITLE_MAX),
        response: entry.response === null ? null : entry.response.slice(0, HISTORY_RESPONSE_MAX)
      }
      const res = await db.run('INSERT INTO alert_history (project_id, kind, alert_key, fingerprint, title, outcome, ' +
        'http_status, attempts, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.project_id, row.kind, row.alert_key, row.fingerprint, row.title, row.outcome, row.http_status, row.attempts,
        row.response, row.created_at])
      return { ...row, id: res.insertId }
    },

    async listHistory (projectId, opts): Promise<AlertHistoryEntry[]> {
      const rows = opts.beforeId === undefined
        ? await db.all<HistoryRow>('SELECT * FROM alert_history WHERE project_id = ? ORDER BY id DESC LIMIT ?', [projectId, opts.limit])
        : await db.all<HistoryRow>('SELECT * FROM alert_history WHERE project_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
          [projectId, opts.beforeId, opts.limit])
      return rows.map(toHistory)
    },

    async deleteStale (before): Promise<number> {
      const history = await db.run('DELETE FROM alert_history WHERE created_at < ?', [before - HISTORY_GRACE_MS])
      // Only finished state goes: an open window, an owed follow-up or a firing rate stays.
      const state = await db.run('DELETE FROM alert_state WHERE updated_at < ? AND suppressed_until < ? AND followup_pending = 0 AND active = 0',
        [before, before])
      // A fingerprint unseen for the whole retention counts as new again, like its logs.
      const marks = await db.run('DELETE FROM alert_fingerprints WHERE first_seen_at < ?', [before])
      return history.affectedRows + state.affectedRows + marks.affectedRows
    },

    async removeProject (projectId): Promise<void> {
      for (const table of ['alert_settings', 'alert_state', 'alert_fingerprints', 'alert_history']) {
        await db.run(`DELETE FROM ${table} WHERE project_id = ?`, [projectId])
      }
    }
  }
  return store
}

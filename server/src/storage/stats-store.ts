import { LEVEL_NUMBERS, LEVELS, levelName } from '../ingest/levels.js'
import { allProjectIds, newestFirst } from './log-search.js'
import { hourOf, MINUTE_MS, minuteOf } from './rollup-rows.js'
import { placeholders, type SqlRunner } from './sql-runner.js'
import type { FingerprintStat, LevelMinute, RecentError, StatsScope, StatsStore } from './store.js'

// The dashboard's aggregates, written once for both dialects. The per-minute chart and the top
// fingerprints read the rollups that each batch's transaction keeps (rollup-store.ts): a few
// thousand small rows for a day, however many events it held, where a scan of `logs` grew with
// every event (250 ms at a million on MariaDB).

const ERROR_LEVELS = [LEVELS.error, LEVELS.fatal]

const ceilMinute = (ts: number): number => Math.ceil(ts / MINUTE_MS) * MINUTE_MS

export function createStatsStore (db: SqlRunner): StatsStore {
  // MySQL's `/` returns a decimal; DIV is its integer division. SQLite divides integers exactly.
  const minuteSql = db.dialect === 'mysql' ? '(ts DIV 60000) * 60000' : '(ts / 60000) * 60000'
  // MySQL groups through a temporary table keyed by the group column: as utf8mb4 a fingerprint
  // takes 256 bytes there, as binary 64. Fingerprints are ASCII (validate.ts), so the groups are
  // the same; 16 700 hour rows of one project took 21-24 ms instead of 34 (MariaDB, scratch).
  const byFingerprint = db.dialect === 'mysql' ? 'CAST(fingerprint AS BINARY)' : 'fingerprint'

  async function projectIds (scope: StatsScope): Promise<number[]> {
    return scope.projectId !== undefined ? [scope.projectId] : allProjectIds(db)
  }

  /** Counts from `logs` itself, for the parts of a window that do not cover a whole minute. */
  function partialMinutes (ids: number[], from: number, to: number): Promise<Array<{ minute: number, level: number, n: number }>> {
    // The level IN list lets both planners seek each (project, level) range of
    // logs_project_level_ts; without it they fall back to logs_project_ts_fingerprint plus row lookups.
    return db.all(
      `SELECT ${minuteSql} AS minute, level, COUNT(*) AS n FROM logs
       WHERE project_id IN (${placeholders(ids.length)}) AND level IN (${placeholders(LEVEL_NUMBERS.length)}) AND ts >= ? AND ts < ?
       GROUP BY minute, level`, [...ids, ...LEVEL_NUMBERS, from, to])
  }

  return {
    async levelMinutes (scope, from, to) {
      const ids = await projectIds(scope)
      if (ids.length === 0 || from >= to) return []
      // Whole minutes from the rollup, the ragged ends (if any) from logs: exact to the millisecond.
      const first = Math.min(ceilMinute(from), to)
      const last = Math.max(minuteOf(to), first)
      const parts = [first < last
        ? db.all<{ minute: number, level: number, n: number }>(
          `SELECT minute, level, SUM(n) AS n FROM log_minutes
           WHERE project_id IN (${placeholders(ids.length)}) AND minute >= ? AND minute < ? GROUP BY minute, level`, [...ids, first, last])
        : Promise.resolve([])]
      if (from < first) parts.push(partialMinutes(ids, from, first))
      if (last < to) parts.push(partialMinutes(ids, last, to))
      const counts = new Map<string, { minute: number, level: number, count: number }>()
      for (const r of (await Promise.all(parts)).flat()) {
        const minute = Number(r.minute)
        const level = Number(r.level)
        const key = `${minute}|${level}`
        const seen = counts.get(key)
        if (seen === undefined) counts.set(key, { minute, level, count: Number(r.n) })
        else seen.count += Number(r.n)
      }
      return [...counts.values()]
        .sort((a, b) => a.minute - b.minute || a.level - b.level)
        .map((c): LevelMinute => ({ minute: c.minute, level: levelName(c.level), count: c.count }))
    },

    async topFingerprints (scope, from, to, limit) {
      const ids = await projectIds(scope)
      type Top = { project_id: number, fingerprint: string, n: number, first_seen: number, last_seen: number }
      // Whole hours: every hour that overlaps [from, to) counts in full (docs/dashboard.md). One
      // grouped read per project, merged here: every global top-N entry is in its own project's
      // top N, so the merge is exact. The reads go out together: MySQL's pool runs them on
      // separate connections (all projects took the sum of the projects' times, 55 ms at 5 M);
      // on SQLite its two reader threads share them.
      const perProject = (await Promise.all(ids.map((id) => db.all<Top>(
        `SELECT project_id, MIN(fingerprint) AS fingerprint, SUM(n) AS n, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen
         FROM log_fingerprint_hours WHERE project_id = ? AND hour >= ? AND hour < ?
         GROUP BY project_id, ${byFingerprint} ORDER BY n DESC, last_seen DESC LIMIT ${Math.trunc(limit)}`,
        [id, hourOf(from), to])))).flat()
      const top = perProject
        .map((t) => ({ ...t, n: Number(t.n), last_seen: Number(t.last_seen) }))
        .sort((a, b) => b.n - a.n || b.last_seen - a.last_seen)
        .slice(0, limit)
      // The message shown is the newest one: the event at exactly last_seen, one index seek each.
      const latests = await Promise.all(top.map((t) => db.all<{ message: string, level: number, source: string | null }>(
        'SELECT message, level, source FROM logs WHERE project_id = ? AND fingerprint = ? AND ts = ? ORDER BY id DESC LIMIT 1',
        [t.project_id, t.fingerprint, t.last_seen])))
      return top.map((t, i): FingerprintStat => {
        const latest = latests[i]?.[0]
        return {
          project_id: Number(t.project_id),
          fingerprint: t.fingerprint,
          count: Number(t.n),
          first_seen: Number(t.first_seen),
          last_seen: Number(t.last_seen),
          message: latest?.message ?? '',
          level: levelName(Number(latest?.level ?? 30)),
          source: latest?.source ?? null
        }
      })
    },

    async recentErrors (scope, since, limit) {
      const ids = await projectIds(scope)
      if (ids.length === 0) return []
      type Row = { id: number, project_id: number, ts: number, level: number, message: string, source: string | null, fingerprint: string }
      // Each project's newest errors, merged as a search across projects is (log-search.ts). With
      // no (ts, id) index (migration 008), one query over several projects sorted every error of
      // the window: 187 ms p50 at 5 M events on MariaDB, against 0.7 ms for one project.
      const perProject = await Promise.all(ids.map((projectId) => db.all<Row>(
        `SELECT id, project_id, ts, level, message, source, fingerprint FROM logs
         WHERE project_id = ? AND level IN (${placeholders(ERROR_LEVELS.length)}) AND ts >= ?
         ORDER BY ts DESC, id DESC LIMIT ${Math.trunc(limit)}`, [projectId, ...ERROR_LEVELS, since])))
      const rows = newestFirst(perProject, limit)
      return rows.map((r): RecentError => ({
        id: Number(r.id),
        project_id: Number(r.project_id),
        ts: Number(r.ts),
        level: levelName(Number(r.level)),
        message: r.message,
        source: r.source,
        fingerprint: r.fingerprint
      }))
    }
  }
}

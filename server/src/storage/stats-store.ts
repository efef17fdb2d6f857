import { levelName } from '../ingest/levels.js'
import type { SqlRunner, SqlValue } from './sql-runner.js'
import type { FingerprintStat, LevelMinute, RecentError, StatsScope, StatsStore } from './store.js'

// The dashboard's aggregates, written once for both dialects. Every query names its project ids
// (all of them when the scope is "every project") so the planners walk one of the
// (project_id, level | fingerprint, ts) indexes instead of the whole table: those indexes hold
// every column the aggregates read, so no query touches a table row until it has its answer.

const ALL_LEVELS = [10, 20, 30, 40, 50, 60]
const ERROR_LEVELS = [50, 60]

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ')

export function createStatsStore (db: SqlRunner): StatsStore {
  // MySQL's `/` returns a decimal; DIV is its integer division. SQLite divides integers exactly.
  const minuteOf = db.dialect === 'mysql' ? '(ts DIV 60000) * 60000' : '(ts / 60000) * 60000'
  // With the time range as bound parameters, both planners guess it selects few rows and walk
  // logs_project_ts plus a row lookup each: 2-3x slower at a million rows than reading the
  // covering (project_id, fingerprint, ts) index, which also hands the rows over already grouped.
  const byFingerprint = db.dialect === 'mysql'
    ? 'FORCE INDEX (logs_project_fingerprint_ts)'
    : 'INDEXED BY logs_project_fingerprint_ts'

  async function projectIds (scope: StatsScope): Promise<number[]> {
    if (scope.projectId !== undefined) return [scope.projectId]
    const rows = await db.all<{ id: number }>('SELECT id FROM projects ORDER BY id')
    return rows.map((r) => Number(r.id))
  }

  return {
    async levelMinutes (scope, from, to) {
      const ids = await projectIds(scope)
      if (ids.length === 0) return []
      // The level IN list lets both planners seek each (project, level) range of
      // logs_project_level_ts; without it they fall back to logs_project_ts plus row lookups.
      const rows = await db.all<{ minute: number, level: number, n: number }>(
        `SELECT ${minuteOf} AS minute, level, COUNT(*) AS n FROM logs
         WHERE project_id IN (${marks(ids.length)}) AND level IN (${marks(ALL_LEVELS.length)}) AND ts >= ? AND ts < ?
         GROUP BY minute, level ORDER BY minute, level`,
        [...ids, ...ALL_LEVELS, from, to])
      return rows.map((r): LevelMinute => ({ minute: Number(r.minute), level: levelName(Number(r.level)), count: Number(r.n) }))
    },

    async topFingerprints (scope, from, to, limit) {
      const ids = await projectIds(scope)
      type Top = { project_id: number, fingerprint: string, n: number, first_seen: number, last_seen: number }
      // One grouped scan per project, merged here: every global top-N entry is in its own
      // project's top N, so the answer is exact, and each scan is the one-project plan both
      // databases run well (MariaDB handles an IN list over this grouped scan much worse).
      const perProject: Top[] = []
      for (const id of ids) {
        perProject.push(...await db.all<Top>(
          `SELECT project_id, fingerprint, COUNT(*) AS n, MIN(ts) AS first_seen, MAX(ts) AS last_seen FROM logs ${byFingerprint}
           WHERE project_id = ? AND ts >= ? AND ts < ?
           GROUP BY project_id, fingerprint ORDER BY n DESC, last_seen DESC LIMIT ${Math.trunc(limit)}`,
          [id, from, to]))
      }
      const top = perProject
        .map((t) => ({ ...t, n: Number(t.n), last_seen: Number(t.last_seen) }))
        .sort((a, b) => b.n - a.n || b.last_seen - a.last_seen)
        .slice(0, limit)
      // The message shown is the newest one: one index seek per fingerprint, at most `limit`.
      const stats: FingerprintStat[] = []
      for (const t of top) {
        const [latest] = await db.all<{ message: string, level: number, source: string | null }>(
          `SELECT message, level, source FROM logs ${byFingerprint} WHERE project_id = ? AND fingerprint = ? AND ts >= ? AND ts < ?
           ORDER BY ts DESC LIMIT 1`, [t.project_id, t.fingerprint, from, to])
        stats.push({
          project_id: Number(t.project_id),
          fingerprint: t.fingerprint,
          count: Number(t.n),
          first_seen: Number(t.first_seen),
          last_seen: Number(t.last_seen),
          message: latest?.message ?? '',
          level: levelName(Number(latest?.level ?? 30)),
          source: latest?.source ?? null
        })
      }
      return stats
    },

    async recentErrors (scope, since, limit) {
      const ids = await projectIds(scope)
      if (ids.length === 0) return []
      const params: SqlValue[] = [...ids, ...ERROR_LEVELS, since]
      const rows = await db.all<{ id: number, project_id: number, ts: number, level: number, message: string, source: string | null, fingerprint: string }>(
        `SELECT id, project_id, ts, level, message, source, fingerprint FROM logs
         WHERE project_id IN (${marks(ids.length)}) AND level IN (${marks(ERROR_LEVELS.length)}) AND ts >= ?
         ORDER BY ts DESC, id DESC LIMIT ${Math.trunc(limit)}`, params)
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

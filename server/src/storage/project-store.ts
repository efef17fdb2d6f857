import { leftoverProjectIds, removeProjectData } from './project-removal.js'
import type { SqlRunner } from './sql-runner.js'
import type { ClientConfig, NewProject, Project, ProjectCredentials, ProjectPatch, ProjectStore } from './store.js'

interface ProjectRecord {
  id: number
  name: string
  public_key: string
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: number | null
  retention_hours: number
  rate_limit_events_per_minute: number | null
  rate_limit_ip_requests_per_minute: number | null
  client_config: string | null
  created_at: number
  updated_at: number
}

const PUBLIC_COLUMNS = 'id, name, public_key, retention_hours, rate_limit_events_per_minute, ' +
  'rate_limit_ip_requests_per_minute, client_config, created_at, updated_at'

function parseClientConfig (json: string | null): ClientConfig | null {
  return json === null ? null : JSON.parse(json) as ClientConfig
}

function jsonOrNull (value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

function toProject (r: ProjectRecord): Project {
  return {
    id: Number(r.id),
    name: r.name,
    key: r.public_key,
    retention_hours: Number(r.retention_hours),
    rate_limit_events_per_minute: r.rate_limit_events_per_minute === null ? null : Number(r.rate_limit_events_per_minute),
    rate_limit_ip_requests_per_minute: r.rate_limit_ip_requests_per_minute === null ? null : Number(r.rate_limit_ip_requests_per_minute),
    client_config: parseClientConfig(r.client_config),
    created_at: new Date(Number(r.created_at)).toISOString(),
    updated_at: new Date(Number(r.updated_at)).toISOString()
  }
}

/**
 * Project queries are plain enough to be the same on both databases. `removeAlerts` deletes a
 * project's alert rows (alert-store.ts).
 */
export function createProjectStore (db: SqlRunner, removeAlerts: (id: number) => Promise<void>): ProjectStore {
  async function removeData (id: number): Promise<void> {
    await removeAlerts(id)
    await removeProjectData(db, id)
  }

  async function get (id: number): Promise<Project | null> {
    const rows = await db.all<ProjectRecord>(`SELECT ${PUBLIC_COLUMNS} FROM projects WHERE id = ?`, [id])
    return rows[0] === undefined ? null : toProject(rows[0])
  }

  return {
    get,

    async create (input: NewProject, now: number): Promise<Project> {
      const res = await db.run(
        'INSERT INTO projects (name, public_key, secret, retention_hours, rate_limit_events_per_minute, ' +
        'rate_limit_ip_requests_per_minute, client_config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [input.name, input.key, input.secret, input.retention_hours, input.rate_limit_events_per_minute ?? null,
          input.rate_limit_ip_requests_per_minute ?? null, jsonOrNull(input.client_config), now, now])
      return await get(res.insertId) as Project
    },

    async list (): Promise<Project[]> {
      const rows = await db.all<ProjectRecord>(`SELECT ${PUBLIC_COLUMNS} FROM projects ORDER BY id`)
      return rows.map(toProject)
    },

    async findByKey (key: string, now: number): Promise<ProjectCredentials | null> {
      const rows = await db.all<ProjectRecord>(
        'SELECT id, secret, previous_secret, previous_secret_expires_at, retention_hours, ' +
        'rate_limit_events_per_minute, rate_limit_ip_requests_per_minute, client_config FROM projects WHERE public_key = ?', [key])
      const r = rows[0]
      if (r === undefined) return null
      const secrets = [r.secret]
      if (r.previous_secret !== null && Number(r.previous_secret_expires_at) > now) secrets.push(r.previous_secret)
      return {
        id: Number(r.id),
        secrets,
        retention_hours: Number(r.retention_hours),
        rate_limit_events_per_minute: r.rate_limit_events_per_minute === null ? null : Number(r.rate_limit_events_per_minute),
        rate_limit_ip_requests_per_minute: r.rate_limit_ip_requests_per_minute === null ? null : Number(r.rate_limit_ip_requests_per_minute),
        client_config: parseClientConfig(r.client_config)
      }
    },

    async update (id: number, patch: ProjectPatch, now: number): Promise<Project | null> {
      const columns = (['name', 'retention_hours', 'rate_limit_events_per_minute', 'rate_limit_ip_requests_per_minute', 'client_config'] as const)
        .filter((c) => patch[c] !== undefined)
      if (columns.length > 0) {
        await db.run(`UPDATE projects SET ${columns.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
          [...columns.map((c) => c === 'client_config' ? jsonOrNull(patch.client_config) : patch[c] as string | number | null), now, id])
      }
      return await get(id)
    },

    async remove (id: number): Promise<boolean> {
      // The project row goes first, so its key stops working on every receiver at once; the
      // data follows, slice by slice. What is left behind (a removal cut short, or a batch that
      // was already past its key check) is removed by removeLeftovers, which maintenance runs.
      const res = await db.run('DELETE FROM projects WHERE id = ?', [id])
      if (res.affectedRows === 0) return false
      await removeData(id)
      return true
    },

    async removeLeftovers (): Promise<number[]> {
      const live = new Set((await db.all<{ id: number }>('SELECT id FROM projects')).map((r) => Number(r.id)))
      const removed: number[] = []
      for (const id of await leftoverProjectIds(db, live)) {
        // Asked again: a project created (and already logging) since the list was read is not
        // gone. Events are only stored for a project that exists, and ids are never reused
        // (AUTOINCREMENT, InnoDB's persistent counter), so an id with no row now has none for good.
        if (await get(id) !== null) continue
        await removeData(id)
        removed.push(id)
      }
      return removed
    },

    async rotateSecret (id: number, newSecret: string, previousValidUntil: number, now: number): Promise<boolean> {
      const res = await db.run(
        'UPDATE projects SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?, updated_at = ? WHERE id = ?',
        [previousValidUntil, newSecret, now, id])
      return res.affectedRows > 0
    }
  }
}

import type { StoredEvent } from '../ingest/validate.js'

// The one storage interface. Routes, maintenance and alerts talk to this; only the adapters in
// sqlite/ and mysql/ speak SQL. Both adapters pass test/server/storage/store-behaviour.ts.

export interface Project {
  id: number
  name: string
  key: string
  retention_hours: number
  rate_limit_events_per_minute: number | null
  rate_limit_ip_requests_per_minute: number | null
  created_at: string
  updated_at: string
}

/** What ingestion needs to authenticate and limit a request, found by public key. */
export interface ProjectCredentials {
  id: number
  secrets: string[]
  retention_hours: number
  rate_limit_events_per_minute: number | null
  rate_limit_ip_requests_per_minute: number | null
}

export interface NewProject {
  name: string
  key: string
  secret: string
  retention_hours: number
  rate_limit_events_per_minute?: number | null
  rate_limit_ip_requests_per_minute?: number | null
}

export type ProjectPatch = Partial<Pick<Project,
  'name' | 'retention_hours' | 'rate_limit_events_per_minute' | 'rate_limit_ip_requests_per_minute'>>

export interface ProjectStore {
  create (input: NewProject, now: number): Promise<Project>
  list (): Promise<Project[]>
  get (id: number): Promise<Project | null>
  findByKey (key: string, now: number): Promise<ProjectCredentials | null>
  update (id: number, patch: ProjectPatch, now: number): Promise<Project | null>
  /** Removes the project, its events and its batch ids. */
  remove (id: number): Promise<boolean>
  /** The current secret becomes the previous one, valid until `previousValidUntil`. */
  rotateSecret (id: number, newSecret: string, previousValidUntil: number, now: number): Promise<boolean>
}

export interface InsertResult {
  accepted: number
  duplicate: boolean
}

export interface LogRow {
  id: number
  project_id: number
  ts: string
  level: string
  message: string
  source: string | null
  fingerprint: string
  stack: string | null
  context: Record<string, unknown> | null
}

export interface LogQuery {
  projectId?: number
  levels?: number[]
  minLevel?: number
  q?: string
  source?: string
  fingerprint?: string
  from?: number
  to?: number
  limit: number
  /** Keyset position: rows strictly older than (ts, id). */
  before?: { ts: number, id: number }
}

export interface LogPage {
  events: LogRow[]
  /** Position of the last row when more rows follow, else null. */
  next: { ts: number, id: number } | null
}

export interface LogStore {
  /**
   * Stores the events and the batch id in one transaction: either both commit or neither does,
   * so a client retrying after a crash neither loses nor doubles the batch.
   */
  insertBatch (projectId: number, batchId: string | null, events: StoredEvent[], now: number): Promise<InsertResult>
  search (query: LogQuery): Promise<LogPage>
}

export interface Store {
  readonly kind: 'sqlite' | 'mysql'
  readonly projects: ProjectStore
  readonly logs: LogStore
  migrate (): Promise<string[]>
  ping (): Promise<void>
  close (): Promise<void>
}

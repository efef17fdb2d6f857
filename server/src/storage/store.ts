import type { StoredEvent } from '../ingest/validate.js'
import type { LimitStore } from './limit-store.js'
import type { MaintenanceStore } from './maintenance-store.js'

// The one storage interface. Routes, maintenance and alerts talk to this; only the adapters in
// sqlite/ and mysql/ speak SQL. Both adapters pass test/server/storage/store-behaviour.ts.

/** What a project tells its transports through GET /config. Every field optional. */
export interface ClientConfig {
  min_level?: string
  sample_rates?: Record<string, number>
  batch_max_events?: number
  batch_max_bytes?: number
  flush_interval_ms?: number
}

export interface Project {
  id: number
  name: string
  key: string
  retention_hours: number
  rate_limit_events_per_minute: number | null
  rate_limit_ip_requests_per_minute: number | null
  /** Client defaults served by GET /config; null = the server's defaults. */
  client_config: ClientConfig | null
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
  client_config: ClientConfig | null
}

export interface NewProject {
  name: string
  key: string
  secret: string
  retention_hours: number
  rate_limit_events_per_minute?: number | null
  rate_limit_ip_requests_per_minute?: number | null
  client_config?: ClientConfig | null
}

export type ProjectPatch = Partial<Pick<Project,
  'name' | 'retention_hours' | 'rate_limit_events_per_minute' | 'rate_limit_ip_requests_per_minute' | 'client_config'>>

export interface ProjectStore {
  create (input: NewProject, now: number): Promise<Project>
  list (): Promise<Project[]>
  get (id: number): Promise<Project | null>
  findByKey (key: string, now: number): Promise<ProjectCredentials | null>
  update (id: number, patch: ProjectPatch, now: number): Promise<Project | null>
  /** Removes the project, then its events, batch ids, rollups and alert rows (in slices). */
  remove (id: number): Promise<boolean>
  /** Finishes removals a crash cut short: the data of ids that have no project. Returns the ids. */
  removeLeftovers (): Promise<number[]>
  /** The current secret becomes the previous one, valid until `previousValidUntil`. */
  rotateSecret (id: number, newSecret: string, previousValidUntil: number, now: number): Promise<boolean>
}

export interface InsertResult {
  accepted: number
  duplicate: boolean
  /** Present only when the project's event limit refused the batch: nothing was stored or counted. */
  overLimit?: true
}

/** One LogStore.insertBatch call, as the adapters' group commit carries it. */
export interface InsertCall { projectId: number, batchId: string | null, events: StoredEvent[], now: number, eventLimit: number }

/** What insertBatch answers for a batch the project's event limit refused. */
export const OVER_LIMIT: InsertResult = Object.freeze({ accepted: 0, duplicate: false, overLimit: true })

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
  /**
   * Stores the batch once per batch id. With `eventLimit` above 0 the batch is also counted
   * against the project's events-per-minute limit in the same transaction, and refused whole
   * (`overLimit`) when it does not fit: a batch counts if and only if it is stored, and a
   * repeated batch id is acknowledged without being counted.
   */
  insertBatch (projectId: number, batchId: string | null, events: StoredEvent[], now: number, eventLimit?: number): Promise<InsertResult>
  search (query: LogQuery): Promise<LogPage>
  /** The count first stored under this batch id, or null when the id is new. */
  findBatch (projectId: number, batchId: string): Promise<number | null>
}

/** Which projects an aggregate covers: one, or every project when projectId is absent. */
export interface StatsScope {
  projectId?: number
}

export interface LevelMinute {
  /** Epoch ms of the minute's start. */
  minute: number
  level: string
  count: number
}

export interface FingerprintStat {
  project_id: number
  fingerprint: string
  count: number
  first_seen: number
  last_seen: number
  /** The newest event's message, level and source for this fingerprint. */
  message: string
  level: string
  source: string | null
}

export interface RecentError {
  id: number
  project_id: number
  ts: number
  level: string
  message: string
  source: string | null
  fingerprint: string
}

/** Read-only aggregates for the dashboard overview; times are epoch ms, `to` exclusive. */
export interface StatsStore {
  levelMinutes (scope: StatsScope, from: number, to: number): Promise<LevelMinute[]>
  topFingerprints (scope: StatsScope, from: number, to: number, limit: number): Promise<FingerprintStat[]>
  /** Events at error or fatal since `since`, newest first. */
  recentErrors (scope: StatsScope, since: number, limit: number): Promise<RecentError[]>
}

/** One project's alert settings as stored; defaults are applied by alerts/alert-settings.ts. */
export interface AlertSettingsRecord {
  project_id: number
  discord_webhook_url: string | null
  spike_threshold: number
  spike_window_seconds: number
  suppression_minutes: number
  error_rate_threshold: number | null
  new_fingerprint: boolean
  /** 'failed' once the webhook answered 401/403/404: nothing is sent until the URL changes or a test succeeds. */
  webhook_status: 'unknown' | 'ok' | 'failed'
  webhook_checked_at: number | null
  webhook_error: string | null
  updated_at: number
}

export type AlertSettingsValues = Pick<AlertSettingsRecord, 'discord_webhook_url' | 'spike_threshold' |
  'spike_window_seconds' | 'suppression_minutes' | 'error_rate_threshold' | 'new_fingerprint'>

/** The suppression state of one alert subject (`spike:<fingerprint>`, `rate`, `new`). */
export interface AlertState {
  project_id: number
  alert_key: string
  kind: string
  fingerprint: string | null
  active: boolean
  alerted_at: number
  suppressed_until: number
  suppressed_count: number
  followup_pending: boolean
  last_event_at: number | null
}

export interface AlertHistoryInput {
  project_id: number
  kind: string
  alert_key: string | null
  fingerprint: string | null
  title: string
  /** sent | failed | webhook_failed | skipped */
  outcome: string
  http_status: number | null
  attempts: number
  response: string | null
  created_at: number
}

export interface AlertHistoryEntry extends AlertHistoryInput {
  id: number
}

export interface ErrorCountQuery {
  projectId: number
  fingerprint?: string
  minLevel: number
  since: number
  /** Counting stops here: a flood costs no more than the threshold needs. */
  limit: number
}

/**
 * Alert state. Every method whose name starts with `claim` is one conditional statement whose
 * affected-row count decides, so concurrent receivers on one database agree on who sends.
 */
export interface AlertStore {
  getSettings (projectId: number): Promise<AlertSettingsRecord | null>
  putSettings (projectId: number, values: AlertSettingsValues, now: number): Promise<AlertSettingsRecord>
  /** Records a webhook's answer; ignored when the URL was changed meanwhile. */
  setWebhookStatus (projectId: number, url: string, status: 'ok' | 'failed', error: string | null, now: number): Promise<void>
  countErrors (query: ErrorCountQuery): Promise<{ count: number, first: number | null, last: number | null }>
  /** Whether an event with this fingerprint was received before `before` (epoch ms). */
  seenBefore (projectId: number, fingerprint: string, before: number): Promise<boolean>
  getState (projectId: number, key: string): Promise<AlertState | null>
  /** Opens a suppression window unless one is open or a follow-up is still owed. True: send the alert. */
  claim (projectId: number, key: string, kind: string, fingerprint: string | null, now: number, suppressedUntil: number): Promise<boolean>
  /** Adds to the suppressed count while the window is open. False: no open window. */
  countSuppressed (projectId: number, key: string, n: number, now: number): Promise<boolean>
  /** Windows that ended with a follow-up still owed (optionally of one project). */
  dueFollowUps (now: number, projectId?: number): Promise<AlertState[]>
  /**
   * Takes the owed follow-up and answers the count it reports, or null when another receiver
   * took it. `rearmUntil` opens the next window at once (the problem is still going on).
   */
  claimFollowUp (projectId: number, key: string, now: number, rearmUntil: number | null): Promise<number | null>
  activeRates (projectId?: number): Promise<AlertState[]>
  claimRecovery (projectId: number, key: string, now: number): Promise<boolean>
  /** True for the first receiver to announce this fingerprint. */
  claimFingerprint (projectId: number, fingerprint: string, now: number): Promise<boolean>
  appendHistory (entry: AlertHistoryInput): Promise<AlertHistoryEntry>
  listHistory (projectId: number, opts: { limit: number, beforeId?: number }): Promise<AlertHistoryEntry[]>
  /**
   * Drops finished suppression state and fingerprint marks older than `before`, and history a week
   * older than that; answers the rows removed. Open windows, owed follow-ups and firing rates stay.
   */
  deleteStale (before: number): Promise<number>
  /** Everything of one project (called when the project is deleted). */
  removeProject (projectId: number): Promise<void>
}

export interface Store {
  readonly kind: 'sqlite' | 'mysql'
  readonly projects: ProjectStore
  readonly logs: LogStore
  readonly stats: StatsStore
  readonly alerts: AlertStore
  readonly limits: LimitStore
  readonly maintenance: MaintenanceStore
  migrate (): Promise<string[]>
  /** Connection pool state for /metrics; SQLite has no pool. */
  poolStats? (): { total: number, free: number, queued: number } | undefined
  ping (): Promise<void>
  close (): Promise<void>
}

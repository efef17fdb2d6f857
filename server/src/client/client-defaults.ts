import { createHash } from 'node:crypto'
import { LEVELS, levelName, levelNumber } from '../ingest/levels.js'
import { MAX_BODY_BYTES } from '../ingest/body.js'
import { MAX_EVENTS } from '../ingest/validate.js'
import type { ProjectCredentials } from '../storage/store.js'

export const CONFIG_TTL_SECONDS = 300

export interface ClientDefaults {
  project_id: number
  min_level: string
  sample_rates: Record<string, number>
  batch: { max_events: number, max_bytes: number, flush_interval_ms: number }
  limits: { max_events_per_batch: number, max_body_bytes: number, events_per_minute: number | null }
  ttl_seconds: number
}

/** The project's stored choices over the server's defaults: what a transport should do. */
export function clientDefaults (project: ProjectCredentials, serverEventsPerMinute: number): ClientDefaults {
  const c = project.client_config ?? {}
  const sampleRates = Object.fromEntries(Object.keys(LEVELS).map((name) => [name, c.sample_rates?.[name] ?? 1]))
  const perMinute = project.rate_limit_events_per_minute ?? serverEventsPerMinute
  return {
    project_id: project.id,
    min_level: levelName(levelNumber(c.min_level) ?? LEVELS.trace),
    sample_rates: sampleRates,
    batch: {
      max_events: c.batch_max_events ?? 200,
      max_bytes: c.batch_max_bytes ?? 300 * 1024,
      flush_interval_ms: c.flush_interval_ms ?? 1000
    },
    limits: { max_events_per_batch: MAX_EVENTS, max_body_bytes: MAX_BODY_BYTES, events_per_minute: perMinute === 0 ? null : perMinute },
    ttl_seconds: CONFIG_TTL_SECONDS
  }
}

export function etagOf (body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}

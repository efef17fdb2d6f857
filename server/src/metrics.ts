import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * One registry per app (not prom-client's global one), so two apps in one process — tests, or an
 * embedding host — never share or double-register counters.
 */
export function createMetrics (poolStats?: () => { total: number, free: number, queued: number } | undefined) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'tekno_' })

  const metrics = {
    registry,
    eventsAccepted: new Counter({ name: 'tekno_events_accepted_total', help: 'Events stored', labelNames: ['project_id'], registers: [registry] }),
    eventsRejected: new Counter({ name: 'tekno_events_rejected_total', help: 'Requests to POST /api/log refused, by error code', labelNames: ['reason', 'project_id'], registers: [registry] }),
    requests: new Counter({ name: 'tekno_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    rateLimited: new Counter({ name: 'tekno_rate_limited_total', help: 'Requests refused by a rate limit', labelNames: ['scope'], registers: [registry] }),
    ingestDuration: new Histogram({
      name: 'tekno_ingest_duration_seconds',
      help: 'Time to verify, validate and commit one batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry]
    }),
    maintenanceRuns: new Counter({ name: 'tekno_maintenance_runs_total', help: 'Maintenance runs by result', labelNames: ['result'], registers: [registry] }),
    maintenanceDuration: new Histogram({
      name: 'tekno_maintenance_duration_seconds', help: 'Duration of maintenance runs', buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [registry]
    }),
    rowsPurged: new Counter({ name: 'tekno_maintenance_rows_purged_total', help: 'Rows removed by maintenance', labelNames: ['kind'], registers: [registry] })
  }
  if (poolStats !== undefined) {
    new Gauge({ // eslint-disable-line no-new
      name: 'tekno_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [registry],
      collect () {
        const s = poolStats()
        if (s === undefined) return
        this.set({ state: 'total' }, s.total)
        this.set({ state: 'free' }, s.free)
        this.set({ state: 'queued' }, s.queued)
      }
    })
  }
  return metrics
}

export type Metrics = ReturnType<typeof createMetrics>

import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises'
import type { Store } from '../storage/store.js'
import type { MaintenanceRun, PurgePosition } from '../storage/maintenance-store.js'
import { ALERT_STATE_TTL_MS, counterCutoff, retentionCutoff } from './retention.js'

/**
 * Rest after each batch of deletes, as a fraction of the time it took (MaintainerOptions.restRatio),
 * by database. SQLite's one writer serves ingest and purge alike, and deletes there are quick, so
 * it rests longer. Bench purge-under-load, alternating runs on 2-core VMs, ingest p99 during the
 * purge against its quiet value (the target is 1.25x at 20 k rows/s or more):
 * - 0.75: 1.33-1.65x at 56-74 k rows/s (four runs);
 * - 1.5: 1.14-1.34x at 47-54 k rows/s (four runs, a Xeon); on an EPYC with a slower disk 1.00-1.53x,
 *   three of seven over 1.25x, at 44-56 k rows/s;
 * - 2.5, the same EPYC: 1.03-1.13x at 28-43 k rows/s (six runs), 3: 1.05-1.14x at 23-36 k (seven).
 * MariaDB purges at 25 k rows/s resting 0.75 (1.04x), near the 20 k it must keep.
 */
export const PURGE_REST_RATIO = { sqlite: 2.5, mysql: 0.75 } as const

export interface MaintainerOptions {
  store: Store
  now: () => number
  /** Traffic starts a run when the last one started at least this long ago. */
  intervalMs: number
  /** A holder that crashes frees the lease after this long. */
  leaseMs: number
  /** Rows per delete statement: small enough that no statement holds a lock for long. */
  batchSize?: number
  /**
   * After each batch of deletes, rest this fraction of the time it took. The purge runs beside
   * live traffic on the same cores and database: at full speed it removed 75 k (SQLite) and 38 k
   * (MariaDB) rows/s and raised ingest p99 1.6x and 1.5x; resting 0.5 gave 1.30x / 1.22x at
   * 37 k / 31 k rows/s, resting 1.0 gave 1.19x / 1.24x at 28 k / 20 k (bench purge-under-load).
   * Default: PURGE_REST_RATIO for the store's database.
   */
  restRatio?: number
  onError?: (err: unknown) => void
  onRun?: (run: MaintenanceRun) => void
}

export type MaintenanceOutcome =
  | { ran: true, run: MaintenanceRun }
  | { ran: false, reason: 'lease_held' | 'not_due' | 'stopping', holder: string | null, lease_expires_at: string | null }

const RUNS_KEPT = 200

/**
 * Self-maintenance without cron. Inside a process a single-flight promise keeps one run at a
 * time; across processes the database lease does. Failures are reported and recorded, never
 * thrown into the request that happened to trigger the run.
 */
export class Maintainer {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  #o: Required<Omit<MaintainerOptions, 'onError' | 'onRun'>> & Pick<MaintainerOptions, 'onError' | 'onRun'>
  #running: Promise<MaintenanceOutcome> | null = null
  #nextCheckAt = 0
  #stopping = false

  constructor (options: MaintainerOptions) {
    this.#o = { batchSize: 5_000, restRatio: PURGE_REST_RATIO[options.store.kind], ...options }
  }

  /** Called on every ingest: costs a clock read unless a check is due, and never waits. */
  poke (): void {
    const now = this.#o.now()
    if (this.#running !== null || this.#stopping || now < this.#nextCheckAt) return
    // Other receivers may run it meanwhile; look at the shared lease again a little later.
    this.#nextCheckAt = now + Math.min(this.#o.intervalMs, 30_000)
    this.run('traffic', false).catch((err: unknown) => this.#o.onError?.(err))
  }

  /**
   * Runs now if the lease is free; `force` skips the interval check (admin endpoints). A forced
   * run that finds another in progress here waits for it and then runs, so "maintain now" never
   * answers with a run that started before the call.
   */
  run (trigger: string, force: boolean): Promise<MaintenanceOutcome> {
    if (this.#running !== null) {
      if (!force) return this.#running
      return this.#running.catch(() => undefined).then(() => this.run(trigger, force))
    }
    this.#running = this.#runOnce(trigger, force).finally(() => { this.#running = null })
    return this.#running
  }

  /** Stops between batches and waits for the current run, for a clean shutdown. */
  async stop (): Promise<void> {
    this.#stopping = true
    await this.#running?.catch(() => undefined)
  }

  async #runOnce (trigger: string, force: boolean): Promise<MaintenanceOutcome> {
    const { store, now, leaseMs } = this.#o
    if (this.#stopping) return { ran: false, reason: 'stopping', holder: null, lease_expires_at: null }
    const startedAt = now()
    if (!await store.maintenance.tryAcquire(this.holder, startedAt, leaseMs, force ? null : this.#o.intervalMs)) {
      const lease = await store.maintenance.lease()
      const held = lease.expires_at > startedAt
      return {
        ran: false,
        reason: held ? 'lease_held' : 'not_due',
        holder: held ? lease.holder : null,
        lease_expires_at: held ? new Date(lease.expires_at).toISOString() : null
      }
    }
    const run: MaintenanceRun = {
      holder: this.holder, trigger, started_at: startedAt, duration_ms: 0, ok: true,
      logs_purged: 0, batches_purged: 0, counters_purged: 0, alert_state_purged: 0, error: null
    }
    try {
      await this.#work(run)
    } catch (err) {
      run.ok = false
      run.error = err instanceof Error ? err.message : String(err)
      this.#o.onError?.(err)
    } finally {
      run.duration_ms = Math.max(0, now() - startedAt)
      await store.maintenance.recordRun(run, RUNS_KEPT).catch((err: unknown) => this.#o.onError?.(err))
      await store.maintenance.release(this.holder).catch((err: unknown) => this.#o.onError?.(err))
      this.#o.onRun?.(run)
    }
    return { ran: true, run }
  }

  async #work (run: MaintenanceRun): Promise<void> {
    const { store, now, batchSize, leaseMs } = this.#o
    // Counts go straight into the run record, so a run that fails half-way still reports what
    // it removed before the failure.
    type Counter = 'logs_purged' | 'batches_purged' | 'counters_purged'
    const drain = async (into: Counter, step: () => Promise<{ count: number, more: boolean }>): Promise<void> => {
      for (;;) {
        const started = performance.now()
        const { count, more } = await step()
        run[into] += count
        if (!more || this.#stopping) return
        // Let queued requests run between batches, and keep the lease while we are busy.
        const rest = (performance.now() - started) * this.#o.restRatio
        await (rest >= 1 ? sleep(rest) : yieldToIo())
        await store.maintenance.extend(this.holder, now() + leaseMs)
      }
    }
    const bounded = (step: () => Promise<number>) => async () => {
      const count = await step()
      return { count, more: count >= batchSize }
    }
    // First what a project removal cut short left behind (a crash, or a batch stored meanwhile).
    await store.projects.removeLeftovers()
    for (const project of await store.projects.list()) {
      const cutoff = retentionCutoff(now(), project.retention_hours)
      let position: PurgePosition | null = null
      await drain('logs_purged', async () => {
        const { deleted, next } = await store.maintenance.purgeLogs(project.id, cutoff, batchSize, position)
        position = next
        return { count: deleted, more: next !== null }
      })
      await drain('batches_purged', bounded(() => store.maintenance.purgeBatches(project.id, cutoff, batchSize)))
    }
    await drain('counters_purged', bounded(() => store.maintenance.purgeCounters(counterCutoff(now()), batchSize)))
    run.alert_state_purged = await store.alerts.deleteStale(now() - ALERT_STATE_TTL_MS)
  }
}

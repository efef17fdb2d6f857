import type { IngestedBatch } from '../app.js'
import { TeknoError } from '../errors.js'
import type { AlertSettingsRecord, AlertState, Store } from '../storage/store.js'
import {
  ERROR_LEVEL, NEW_KEY, NEW_FINGERPRINT_SLACK_MS, RATE_KEY, RATE_WINDOW_MS, errorCount, groupErrors, isNewFingerprint,
  isRateHigh, isSpike, kindOfKey, planFollowUp, rateCountLimit, rateTransition, shouldSendFollowUp, spikeCountLimit,
  spikeKey, spikeWindowStart, suppressionEnd, type ErrorGroup
} from './alert-rules.js'
import { AlertDelivery, usable } from './alert-delivery.js'
import type { DiscordPayload } from './discord-format.js'
import * as message from './discord-message.js'
import { DiscordSender, type SendResult } from './discord-sender.js'

// The I/O shell around alert-rules.ts: reads counts and settings, claims decisions in the
// database, and hands what to send to alert-delivery.ts. Runs after ingestion has answered; every failure is logged
// here and goes no further.

export interface AlertLogger {
  warn (obj: object, msg: string): void
  error (obj: object, msg: string): void
}

export interface AlertEngineOptions {
  store: Store
  now: () => number
  publicUrl: string
  log: AlertLogger
  sender?: DiscordSender
  /** How often ended suppression windows and firing rates are looked at without new events. */
  sweepIntervalMs?: number
  /** Evaluations waiting beyond this are dropped: counts live in the logs table, the next batch catches up. */
  maxPending?: number
}

export interface TestAlertResult {
  result: SendResult
  settings: AlertSettingsRecord | null
}

const CLOSE_WAIT_MS = 10_000
/** Ingestion looks for ended windows of its project at most this often; the timer covers the rest. */
const INGEST_SWEEP_EVERY_MS = 1_000
/**
 * How long a project's settings read for one batch serve the next ones. Every batch used to read
 * them: a statement a batch, most often to learn that a project has no alerts. A change made on
 * another receiver is seen within this; one made through this receiver at once (forgetSettings).
 */
const SETTINGS_FRESH_MS = 1_000

export class AlertEngine {
  #store: Store
  #now: () => number
  #publicUrl: string
  #log: AlertLogger
  #delivery: AlertDelivery
  #maxPending: number
  #pending = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #sweeping = false
  #closed = false
  #dropped = 0
  #lastIngestSweep = new Map<number, number>()
  #settings = new Map<number, { read: number, value: Promise<AlertSettingsRecord | null> }>()

  constructor (o: AlertEngineOptions) {
    this.#store = o.store
    this.#now = o.now
    this.#publicUrl = o.publicUrl
    this.#log = o.log
    this.#delivery = new AlertDelivery({
      store: o.store, now: o.now, log: o.log, sender: o.sender ?? new DiscordSender(), onStatusChange: (id) => { this.forgetSettings(id) }
    })
    this.#maxPending = o.maxPending ?? 500
    const every = o.sweepIntervalMs ?? 15_000
    if (every > 0) {
      this.#timer = setInterval(() => {
        if (!this.#sweeping) void this.sweep()
      }, every)
      this.#timer.unref()
    }
  }

  /** The ingest listener: returns at once, the work is tracked for idle() and close(). */
  onBatch (batch: IngestedBatch): void {
    if (this.#closed) return
    if (this.#pending.size >= this.#maxPending) {
      if (this.#dropped++ % 1000 === 0) this.#log.warn({ dropped: this.#dropped }, 'alert evaluation backlog full; dropping evaluations')
      return
    }
    this.#track(() => this.#evaluate(batch))
  }

  /** Sends the follow-ups whose window ended and the recoveries that are due (optionally of one project). */
  sweep (projectId?: number): Promise<void> {
    return this.#track(async () => {
      this.#sweeping = true
      try { await this.#sweep(projectId) } finally { this.#sweeping = false }
    })
  }

  /** Resolves once nothing is being evaluated or sent. */
  async idle (): Promise<void> {
    // A listener is called on the reply's 'finish': give it a turn to register its work.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending])
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  async sendTest (projectId: number): Promise<TestAlertResult> {
    const settings = await this.#store.alerts.getSettings(projectId)
    if (settings === null || settings.discord_webhook_url === null) throw new TeknoError('TEKNO_ERR_ALERT_NO_WEBHOOK')
    const ctx = await this.#context(settings, this.#now())
    // Sent even to a webhook marked failed: a test is how an operator checks it works again.
    const result = await this.#delivery.deliver(settings, { projectId, kind: 'test', key: null, fingerprint: null }, message.testAlert(ctx), true)
    return { result, settings: await this.#store.alerts.getSettings(projectId) }
  }

  /**
   * Stops taking work, lets alerts in flight finish for up to `graceMs`, then cuts the sends
   * still waiting on Discord (recorded as not sent) so the store can close under nobody.
   */
  async close (graceMs = CLOSE_WAIT_MS): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearInterval(this.#timer)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.idle(), new Promise((resolve) => { timer = setTimeout(resolve, graceMs) })])
    clearTimeout(timer)
    this.#delivery.close()
    await this.idle()
  }

  #track (work: () => Promise<void>): Promise<void> {
    const p: Promise<void> = work()
      .catch((err: unknown) => { this.#log.error({ err }, 'alert evaluation failed') })
      .finally(() => { this.#pending.delete(p) })
    this.#pending.add(p)
    return p
  }

  /** Call after changing a project's settings, so this receiver's next batch reads them again. */
  forgetSettings (projectId: number): void {
    this.#settings.delete(projectId)
  }

  /** Settings for ingestion, read at most once a second per project (on a monotonic clock: tests move `now` by hours). */
  #settingsFor (projectId: number): Promise<AlertSettingsRecord | null> {
    const at = performance.now()
    const known = this.#settings.get(projectId)
    if (known !== undefined && at - known.read < SETTINGS_FRESH_MS) return known.value
    const value = this.#store.alerts.getSettings(projectId)
    this.#settings.set(projectId, { read: at, value })
    // A failed read is not kept: the next batch tries again.
    value.catch(() => { if (this.#settings.get(projectId)?.value === value) this.#settings.delete(projectId) })
    return value
  }

  async #evaluate (batch: IngestedBatch): Promise<void> {
    const settings = await this.#settingsFor(batch.projectId)
    if (!usable(settings)) return
    const now = this.#now()
    // Windows that ended are closed before new events are counted into them. Once a second is
    // enough: what is due only changes with time, and a busy project sends many batches a second.
    if (now - (this.#lastIngestSweep.get(batch.projectId) ?? -Infinity) >= INGEST_SWEEP_EVERY_MS) {
      this.#lastIngestSweep.set(batch.projectId, now)
      await this.#sweep(batch.projectId)
    }
    const groups = groupErrors(batch.events)
    if (groups.length === 0) return
    if (settings.new_fingerprint) await this.#newFingerprints(settings, groups, batch.receivedAt, now)
    for (const g of groups) await this.#spike(settings, g, now)
    if (settings.error_rate_threshold !== null) await this.#rate(settings, errorCount(batch.events), groups, now)
  }

  async #spike (s: AlertSettingsRecord, g: ErrorGroup, now: number): Promise<void> {
    if (s.spike_threshold === 0) return
    const alerts = this.#store.alerts
    const key = spikeKey(g.fingerprint)
    // The cheap path during a flood: one conditional UPDATE, no counting.
    if (await alerts.countSuppressed(s.project_id, key, g.count, now)) return
    const w = await alerts.countErrors({ projectId: s.project_id, fingerprint: g.fingerprint, minLevel: ERROR_LEVEL, since: spikeWindowStart(s, now), limit: spikeCountLimit(s) })
    if (!isSpike(s, w.count)) return
    // Losing the claim means another receiver (or batch) is sending this very alert.
    if (!await this.#claim(s, key, 'spike', g.fingerprint, g.count, now)) return
    const ctx = await this.#context(s, now)
    await this.#delivery.deliver(s, { projectId: s.project_id, kind: 'spike', key, fingerprint: g.fingerprint },
      message.spikeAlert(ctx, g, { count: w.count, first: w.first ?? g.first, last: w.last ?? g.last }))
  }

  async #rate (s: AlertSettingsRecord, errors: number, groups: ErrorGroup[], now: number): Promise<void> {
    const alerts = this.#store.alerts
    if (await alerts.countSuppressed(s.project_id, RATE_KEY, errors, now)) return
    const minute = await alerts.countErrors({ projectId: s.project_id, minLevel: ERROR_LEVEL, since: now - RATE_WINDOW_MS, limit: rateCountLimit(s) })
    const state = await alerts.getState(s.project_id, RATE_KEY)
    if (rateTransition(s, minute.count, state?.active ?? false) !== 'fire') return
    if (!await this.#claim(s, RATE_KEY, 'rate', null, errors, now)) return
    const ctx = await this.#context(s, now)
    await this.#delivery.deliver(s, { projectId: s.project_id, kind: 'rate', key: RATE_KEY, fingerprint: null },
      message.rateAlert(ctx, minute.count, groups.at(-1)?.sample ?? null))
  }

  async #newFingerprints (s: AlertSettingsRecord, groups: ErrorGroup[], receivedAt: number, now: number): Promise<void> {
    const alerts = this.#store.alerts
    const fresh: ErrorGroup[] = []
    for (const g of groups) {
      if (!await alerts.claimFingerprint(s.project_id, g.fingerprint, now)) continue
      if (isNewFingerprint(await alerts.seenBefore(s.project_id, g.fingerprint, receivedAt - NEW_FINGERPRINT_SLACK_MS))) fresh.push(g)
    }
    if (fresh.length === 0) return
    if (await alerts.countSuppressed(s.project_id, NEW_KEY, fresh.length, now)) return
    // Lost: another receiver announced its own new fingerprints a moment ago; ours go in its follow-up.
    if (!await this.#claim(s, NEW_KEY, 'new', null, fresh.length, now)) return
    const ctx = await this.#context(s, now)
    await this.#delivery.deliver(s, { projectId: s.project_id, kind: 'new_fingerprint', key: NEW_KEY, fingerprint: fresh.length === 1 ? fresh[0]?.fingerprint ?? null : null },
      message.newFingerprints(ctx, fresh))
  }

  /**
   * Claims the alert. When the claim is refused only because the last window ended and its
   * follow-up has not gone out yet (ingestion sweeps at most once a second), the follow-up goes
   * first and the claim is tried again.
   */
  async #claim (s: AlertSettingsRecord, key: string, kind: string, fingerprint: string | null, events: number, now: number): Promise<boolean> {
    const alerts = this.#store.alerts
    if (await alerts.claim(s.project_id, key, kind, fingerprint, now, suppressionEnd(s, now))) return true
    const state = await alerts.getState(s.project_id, key)
    if (state !== null && state.followup_pending && state.suppressed_until <= now) {
      await this.#sweep(s.project_id)
      if (await alerts.claim(s.project_id, key, kind, fingerprint, now, suppressionEnd(s, now))) return true
      // The follow-up re-opened the window (the problem goes on): these events belong in it.
      await alerts.countSuppressed(s.project_id, key, events, now)
    } else if (kind === 'new') {
      // Other fingerprints were announced a moment ago; ours are "more" in its follow-up. A lost
      // spike or rate claim is not counted: its events were in the winner's count.
      await alerts.countSuppressed(s.project_id, key, events, now)
    }
    return false
  }

  async #sweep (projectId?: number): Promise<void> {
    const alerts = this.#store.alerts
    const settingsOf = new Map<number, AlertSettingsRecord | null>()
    const settings = async (id: number): Promise<AlertSettingsRecord | null> => {
      if (!settingsOf.has(id)) settingsOf.set(id, await alerts.getSettings(id))
      return settingsOf.get(id) ?? null
    }
    // Recoveries first: a rate that fell back is closed before its follow-up is considered.
    for (const r of await alerts.activeRates(projectId)) {
      const s = await settings(r.project_id)
      if (s === null) continue
      const now = this.#now()
      const minute = await alerts.countErrors({ projectId: r.project_id, minLevel: ERROR_LEVEL, since: now - RATE_WINDOW_MS, limit: rateCountLimit(s) })
      if (rateTransition(s, minute.count, true) !== 'recover') continue
      if (!await alerts.claimRecovery(r.project_id, RATE_KEY, now)) continue
      if (!usable(s)) continue
      const ctx = await this.#context(s, now)
      await this.#delivery.deliver(s, { projectId: r.project_id, kind: 'rate_recovery', key: RATE_KEY, fingerprint: null },
        message.rateRecovery(ctx, minute.count, r.alerted_at))
    }
    for (const d of await alerts.dueFollowUps(this.#now(), projectId)) {
      const s = await settings(d.project_id)
      if (s !== null) await this.#followUp(s, d)
    }
  }

  async #followUp (s: AlertSettingsRecord, d: AlertState): Promise<void> {
    const alerts = this.#store.alerts
    const now = this.#now()
    const kind = kindOfKey(d.alert_key)
    let ongoing = false
    let minuteCount = 0
    if (kind === 'spike' && d.fingerprint !== null) {
      const w = await alerts.countErrors({ projectId: d.project_id, fingerprint: d.fingerprint, minLevel: ERROR_LEVEL, since: spikeWindowStart(s, now), limit: spikeCountLimit(s) })
      ongoing = isSpike(s, w.count)
    } else if (kind === 'rate') {
      minuteCount = (await alerts.countErrors({ projectId: d.project_id, minLevel: ERROR_LEVEL, since: now - RATE_WINDOW_MS, limit: rateCountLimit(s) })).count
      ongoing = isRateHigh(s, minuteCount)
    }
    const plan = planFollowUp(s, now, { kind, ongoing, firing: d.active })
    const count = await alerts.claimFollowUp(d.project_id, d.alert_key, now, plan.rearmUntil)
    if (count === null || !usable(s) || !shouldSendFollowUp(kind, count, { firing: d.active && ongoing })) return
    const ctx = await this.#context(s, now)
    let payload: DiscordPayload
    if (kind === 'spike') {
      payload = message.spikeFollowUp(ctx, { fingerprint: d.fingerprint, count, since: d.alerted_at, lastEventAt: d.last_event_at, ongoing: plan.rearmUntil !== null })
    } else if (kind === 'rate') {
      payload = message.rateFollowUp(ctx, minuteCount, count)
    } else {
      payload = message.newFingerprintFollowUp(ctx, count, d.alerted_at)
    }
    await this.#delivery.deliver(s, { projectId: d.project_id, kind: `${kind === 'new' ? 'new_fingerprint' : kind}_followup`, key: d.alert_key, fingerprint: d.fingerprint }, payload)
  }

  async #context (s: AlertSettingsRecord, now: number): Promise<message.MessageContext> {
    const project = await this.#store.projects.get(s.project_id)
    return { projectId: s.project_id, projectName: project?.name ?? `project ${s.project_id}`, publicUrl: this.#publicUrl, settings: s, now }
  }
}

import type { AlertSettingsRecord, Store } from '../storage/store.js'
import type { DiscordPayload } from './discord-format.js'
import type { DiscordSender, SendResult } from './discord-sender.js'

// Sends one alert and records what happened: a history row for every message, and the webhook's
// status when Discord says it is gone (or, after a failure, that it works again).

export interface DeliveryLogger {
  warn (obj: object, msg: string): void
}

export interface Delivery {
  projectId: number
  /** spike, spike_followup, rate, rate_followup, rate_recovery, new_fingerprint, new_fingerprint_followup, test */
  kind: string
  key: string | null
  fingerprint: string | null
}

/** Settings that alerts may be sent with: a webhook URL that Discord has not refused. */
export const usable = (s: AlertSettingsRecord | null): s is AlertSettingsRecord & { discord_webhook_url: string } =>
  s !== null && s.discord_webhook_url !== null && s.webhook_status !== 'failed'

export class AlertDelivery {
  #store: Store
  #now: () => number
  #log: DeliveryLogger
  #sender: DiscordSender
  #onStatusChange: (projectId: number) => void

  /** `onStatusChange`: after this marks a project's webhook failed or ok again (cached settings are stale). */
  constructor (o: { store: Store, now: () => number, log: DeliveryLogger, sender: DiscordSender, onStatusChange?: (projectId: number) => void }) {
    this.#store = o.store
    this.#now = o.now
    this.#log = o.log
    this.#sender = o.sender
    this.#onStatusChange = o.onStatusChange ?? (() => {})
  }

  /** `evenIfFailed`: a test alert is how an operator checks a failed webhook works again. */
  async deliver (s: AlertSettingsRecord, d: Delivery, payload: DiscordPayload, evenIfFailed = false): Promise<SendResult> {
    const url = s.discord_webhook_url as string
    const result = evenIfFailed || usable(s)
      ? await this.#sender.send(url, payload)
      : { ok: false, status: null, attempts: 0, response: 'webhook marked failed; not sent', webhookGone: false }
    const now = this.#now()
    const outcome = result.ok ? 'sent' : result.webhookGone ? 'webhook_failed' : result.attempts === 0 ? 'skipped' : 'failed'
    await this.#store.alerts.appendHistory({
      project_id: d.projectId,
      kind: d.kind,
      alert_key: d.key,
      fingerprint: d.fingerprint,
      title: payload.embeds?.[0]?.title ?? payload.content ?? d.kind,
      outcome,
      http_status: result.status,
      attempts: result.attempts,
      response: result.response,
      created_at: now
    })
    if (result.webhookGone) {
      this.#log.warn({ projectId: d.projectId, status: result.status }, 'Discord webhook refused; marked failed until its URL changes or a test succeeds')
      await this.#store.alerts.setWebhookStatus(d.projectId, url, 'failed', `Discord answered ${result.status}: ${(result.response ?? '').slice(0, 300)}`, now)
      this.#onStatusChange(d.projectId)
    } else if (result.ok && s.webhook_status !== 'ok') {
      await this.#store.alerts.setWebhookStatus(d.projectId, url, 'ok', null, now)
      this.#onStatusChange(d.projectId)
    } else if (!result.ok) {
      this.#log.warn({ projectId: d.projectId, status: result.status, attempts: result.attempts }, 'alert not delivered')
    }
    return result
  }

  /** Cuts sends still waiting on Discord (shutdown). */
  close (): void {
    this.#sender.close()
  }
}

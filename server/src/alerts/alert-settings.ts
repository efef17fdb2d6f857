import { z } from 'zod'
import type { AlertSettingsRecord, AlertSettingsValues } from '../storage/store.js'
import { parseInput } from '../parse-input.js'

/** CONTRACT.md pins these defaults; a project without a settings row behaves exactly so. */
export const DEFAULT_ALERT_SETTINGS: AlertSettingsValues = {
  discord_webhook_url: null,
  spike_threshold: 5,
  spike_window_seconds: 60,
  suppression_minutes: 15,
  error_rate_threshold: null,
  new_fingerprint: false
}

const webhookUrl = z.string().max(2048, 'at most 2048 characters').refine((v) => {
  try {
    const u = new URL(v)
    return u.protocol === 'https:' || u.protocol === 'http:'
  } catch {
    return false
  }
}, 'must be an http(s) URL')

const settingsPatch = z.strictObject({
  discord_webhook_url: webhookUrl.nullable().optional(),
  // 0 turns the spike rule off while keeping the others.
  spike_threshold: z.number().int().min(0).max(1_000_000).optional(),
  spike_window_seconds: z.number().int().min(1).max(86_400).optional(),
  suppression_minutes: z.number().int().min(1).max(10_080).optional(),
  error_rate_threshold: z.number().int().min(1).max(100_000_000).nullable().optional(),
  new_fingerprint: z.boolean().optional()
})

export type AlertSettingsPatch = z.infer<typeof settingsPatch>

/** PUT carries any subset of the fields; those it leaves out keep their current value. */
export function parseAlertSettings (body: unknown): AlertSettingsPatch {
  return parseInput(settingsPatch, body, 'body')
}

export function mergeAlertSettings (current: AlertSettingsValues, patch: AlertSettingsPatch): AlertSettingsValues {
  const next = { ...current }
  for (const key of Object.keys(patch) as Array<keyof AlertSettingsPatch>) {
    if (patch[key] !== undefined) (next as Record<string, unknown>)[key] = patch[key]
  }
  return next
}

export function settingsOrDefaults (projectId: number, record: AlertSettingsRecord | null): AlertSettingsRecord {
  return record ?? {
    project_id: projectId,
    ...DEFAULT_ALERT_SETTINGS,
    webhook_status: 'unknown',
    webhook_checked_at: null,
    webhook_error: null,
    updated_at: 0
  }
}

/** The admin API's view: the pinned fields, then ours, with times as ISO 8601. */
export function alertSettingsView (s: AlertSettingsRecord): Record<string, unknown> {
  return {
    project_id: s.project_id,
    discord_webhook_url: s.discord_webhook_url,
    spike_threshold: s.spike_threshold,
    spike_window_seconds: s.spike_window_seconds,
    suppression_minutes: s.suppression_minutes,
    error_rate_threshold: s.error_rate_threshold,
    new_fingerprint: s.new_fingerprint,
    webhook_status: s.discord_webhook_url === null ? 'none' : s.webhook_status,
    webhook_error: s.webhook_error,
    webhook_checked_at: s.webhook_checked_at === null ? null : new Date(s.webhook_checked_at).toISOString()
  }
}

import { levelName } from '../ingest/levels.js'
import type { StoredEvent } from '../ingest/validate.js'
import type { AlertSettingsValues } from '../storage/store.js'
import type { ErrorGroup } from './alert-rules.js'
import { codeBlock, escapeMarkdown, fitToLimits, plain, type DiscordEmbed, type DiscordField, type DiscordPayload } from './discord-format.js'

// What each alert looks like in Discord. Log text is escaped and budgeted here; fitToLimits()
// then guarantees Discord's limits whatever the text was.

const COLOR = { alert: 0xe74c3c, followUp: 0xe67e22, recovery: 0x2ecc71, info: 0x3498db } as const
const BUDGET = { message: 1500, stack: 1000, source: 200, contentMessage: 300 } as const

export interface MessageContext {
  projectId: number
  projectName: string
  publicUrl: string
  settings: AlertSettingsValues
  now: number
}

/** A link to the dashboard with its filters in the query, as the dashboard reads them. */
export function dashboardLink (publicUrl: string, filters: { projectId: number, fingerprint?: string, minLevel?: string, from: number, to: number }): string {
  const q = new URLSearchParams({ project_id: String(filters.projectId) })
  if (filters.fingerprint !== undefined) q.set('fingerprint', filters.fingerprint)
  if (filters.minLevel !== undefined) q.set('min_level', filters.minLevel)
  q.set('from', new Date(filters.from).toISOString())
  q.set('to', new Date(filters.to).toISOString())
  return `${publicUrl}/?${q.toString()}`
}

/** Discord renders `<t:seconds:f>` in each reader's own time zone. */
const when = (ms: number): string => `<t:${Math.floor(ms / 1000)}:f>`
const project = (c: MessageContext): string => plain(c.projectName, 100)
const footer = (c: MessageContext, extra: string): { text: string } => ({ text: `Tekno Logger · project ${c.projectId} · ${extra}` })
const suppression = (c: MessageContext): string => `further alerts for this are held for ${c.settings.suppression_minutes} min`

function eventFields (e: StoredEvent, stackBudget: number): DiscordField[] {
  const fields: DiscordField[] = [
    { name: 'Level', value: levelName(e.level), inline: true },
    { name: 'Source', value: e.source === null || e.source === '' ? '—' : plain(e.source, BUDGET.source), inline: true }
  ]
  if (e.stack !== null && e.stack !== '') fields.push({ name: 'Stack', value: codeBlock(e.stack, stackBudget) })
  return fields
}

export function spikeAlert (c: MessageContext, g: ErrorGroup, window: { count: number, first: number, last: number }): DiscordPayload {
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, fingerprint: g.fingerprint, from: window.first, to: window.last + 1 })
  const embed: DiscordEmbed = {
    title: `Error spike: ${window.count} in ${c.settings.spike_window_seconds}s`,
    url,
    color: COLOR.alert,
    description: plain(g.sample.message, BUDGET.message),
    fields: [
      ...eventFields(g.sample, BUDGET.stack).slice(0, 2),
      { name: 'Count', value: String(window.count), inline: true },
      { name: 'First seen', value: when(window.first), inline: true },
      { name: 'Last seen', value: when(window.last), inline: true },
      { name: 'Fingerprint', value: `\`${g.fingerprint}\``, inline: true },
      ...eventFields(g.sample, BUDGET.stack).slice(2),
      { name: 'Logs', value: `[Open in the dashboard](${url})` }
    ],
    timestamp: new Date(c.now).toISOString(),
    footer: footer(c, suppression(c))
  }
  return fitToLimits({
    content: `**${project(c)}**: ${window.count} errors in ${c.settings.spike_window_seconds}s: ${plain(g.sample.message, BUDGET.contentMessage)}`,
    embeds: [embed],
    allowed_mentions: { parse: [] }
  })
}

export interface FollowUpFacts {
  fingerprint: string | null
  count: number
  since: number
  lastEventAt: number | null
  /** The problem goes on and a new suppression window has opened. */
  ongoing: boolean
}

export function spikeFollowUp (c: MessageContext, f: FollowUpFacts): DiscordPayload {
  const stopped = f.count === 0 && !f.ongoing
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, fingerprint: f.fingerprint ?? undefined, from: f.since, to: c.now + 1 })
  const title = stopped ? 'Spike over: no more events' : f.ongoing ? `Spike goes on: ${f.count} more while held` : `Spike summary: ${f.count} more`
  const description = stopped
    ? `No more events with this fingerprint since the alert ${when(f.since)}.`
    : `${f.count} more events with this fingerprint arrived while alerts were held${f.count === 0 ? ', and it is back now' : ''}` +
      (f.lastEventAt === null ? '.' : `; the last ${when(f.lastEventAt)}.`) +
      (f.ongoing ? ` It is still going on; ${suppression(c)}.` : '')
  return fitToLimits({
    content: `**${project(c)}**: ${escapeMarkdown(title)}`,
    embeds: [{
      title,
      url,
      color: stopped ? COLOR.recovery : COLOR.followUp,
      description,
      fields: [
        { name: 'Fingerprint', value: `\`${f.fingerprint ?? '—'}\``, inline: true },
        { name: 'Logs', value: `[Open in the dashboard](${url})` }
      ],
      timestamp: new Date(c.now).toISOString(),
      footer: footer(c, 'follow-up')
    }],
    allowed_mentions: { parse: [] }
  })
}

export function rateAlert (c: MessageContext, minuteCount: number, sample: StoredEvent | null): DiscordPayload {
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, minLevel: 'error', from: c.now - 60_000, to: c.now + 1 })
  const fields: DiscordField[] = [
    { name: 'Errors in the last minute', value: String(minuteCount), inline: true },
    { name: 'Threshold', value: `${c.settings.error_rate_threshold ?? '—'} per minute`, inline: true },
    { name: 'Logs', value: `[Open in the dashboard](${url})` }
  ]
  if (sample !== null) fields.splice(2, 0, { name: 'Latest error', value: plain(sample.message, 900) })
  return fitToLimits({
    content: `**${project(c)}**: error rate ${minuteCount}/min is over ${c.settings.error_rate_threshold ?? '—'}/min`,
    embeds: [{ title: `Error rate: ${minuteCount} per minute`, url, color: COLOR.alert, fields, timestamp: new Date(c.now).toISOString(), footer: footer(c, suppression(c)) }],
    allowed_mentions: { parse: [] }
  })
}

export function rateFollowUp (c: MessageContext, minuteCount: number, heldCount: number): DiscordPayload {
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, minLevel: 'error', from: c.now - c.settings.suppression_minutes * 60_000, to: c.now + 1 })
  return fitToLimits({
    content: `**${project(c)}**: error rate still high (${minuteCount}/min)`,
    embeds: [{
      title: `Error rate still high: ${minuteCount} per minute`,
      url,
      color: COLOR.followUp,
      description: `${heldCount} errors arrived in the last ${c.settings.suppression_minutes} min while alerts were held; ${suppression(c)}.`,
      fields: [{ name: 'Logs', value: `[Open in the dashboard](${url})` }],
      timestamp: new Date(c.now).toISOString(),
      footer: footer(c, 'follow-up')
    }],
    allowed_mentions: { parse: [] }
  })
}

export function rateRecovery (c: MessageContext, minuteCount: number, since: number): DiscordPayload {
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, minLevel: 'error', from: since, to: c.now + 1 })
  return fitToLimits({
    content: `**${project(c)}**: error rate back to normal (${minuteCount}/min)`,
    embeds: [{
      title: `Recovered: ${minuteCount} errors in the last minute`,
      url,
      color: COLOR.recovery,
      description: `The error rate is below ${c.settings.error_rate_threshold ?? '—'} per minute again; it went over ${when(since)}.`,
      fields: [{ name: 'Logs', value: `[Open in the dashboard](${url})` }],
      timestamp: new Date(c.now).toISOString(),
      footer: footer(c, 'recovery')
    }],
    allowed_mentions: { parse: [] }
  })
}

/**
 * One embed per new fingerprint, at most ten (Discord's limit), sharing the 6000-character total
 * evenly; the rest are counted in the content line.
 */
export function newFingerprints (c: MessageContext, groups: ErrorGroup[]): DiscordPayload {
  const shown = groups.slice(0, 10)
  // About 160 characters of each embed are titles, field names and the fingerprint.
  const text = Math.max(60, Math.floor(5600 / Math.max(1, shown.length)) - 160)
  const embeds = shown.map((g): DiscordEmbed => ({
    title: 'New error',
    url: dashboardLink(c.publicUrl, { projectId: c.projectId, fingerprint: g.fingerprint, from: g.first, to: c.now + 1 }),
    color: COLOR.info,
    description: plain(g.sample.message, Math.floor(text / 2)),
    fields: [
      { name: 'Level', value: levelName(g.sample.level), inline: true },
      { name: 'Source', value: g.sample.source === null || g.sample.source === '' ? '—' : plain(g.sample.source, 60), inline: true },
      { name: 'Fingerprint', value: `\`${g.fingerprint}\``, inline: true },
      ...(g.sample.stack === null || g.sample.stack === '' ? [] : [{ name: 'Stack', value: codeBlock(g.sample.stack, Math.floor(text / 2)) }])
    ],
    timestamp: new Date(g.first).toISOString()
  }))
  const out = fitToLimits({ embeds, allowed_mentions: { parse: [] } })
  const more = groups.length - (out.embeds?.length ?? 0)
  out.content = `**${project(c)}**: ${groups.length} new error fingerprint${groups.length === 1 ? '' : 's'}` +
    (more > 0 ? ` (${more} not shown)` : '')
  return out
}

export function newFingerprintFollowUp (c: MessageContext, count: number, since: number): DiscordPayload {
  const url = dashboardLink(c.publicUrl, { projectId: c.projectId, minLevel: 'error', from: since, to: c.now + 1 })
  return fitToLimits({
    content: `**${project(c)}**: ${count} more new error fingerprints since ${when(since)}`,
    embeds: [{ title: `${count} more new error fingerprints`, url, color: COLOR.followUp, description: `[Open in the dashboard](${url})`, footer: footer(c, 'follow-up') }],
    allowed_mentions: { parse: [] }
  })
}

export function testAlert (c: MessageContext): DiscordPayload {
  return fitToLimits({
    content: `**${project(c)}**: test alert from Tekno Logger`,
    embeds: [{
      title: 'Test alert',
      url: `${c.publicUrl}/?project_id=${c.projectId}`,
      color: COLOR.info,
      description: 'This webhook receives the alerts of this project.',
      fields: [
        { name: 'Spike', value: `${c.settings.spike_threshold} errors with one fingerprint in ${c.settings.spike_window_seconds}s`, inline: true },
        { name: 'Error rate', value: c.settings.error_rate_threshold === null ? 'off' : `${c.settings.error_rate_threshold} per minute`, inline: true },
        { name: 'Suppression', value: `${c.settings.suppression_minutes} min`, inline: true },
        { name: 'New fingerprints', value: c.settings.new_fingerprint ? 'on' : 'off', inline: true }
      ],
      timestamp: new Date(c.now).toISOString(),
      footer: footer(c, 'test')
    }],
    allowed_mentions: { parse: [] }
  })
}

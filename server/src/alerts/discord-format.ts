// Discord's webhook limits and the text handling that keeps log text inside them. Discord answers
// 400 to a payload over any limit and the alert is lost, so every string passes through here.

export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of every title, description, field name and value, footer and author over all embeds. */
  total: 6000
} as const

export interface DiscordField { name: string, value: string, inline?: boolean }

export interface DiscordEmbed {
  title?: string
  description?: string
  url?: string
  color?: number
  timestamp?: string
  fields?: DiscordField[]
  footer?: { text: string }
}

export interface DiscordPayload {
  content?: string
  username?: string
  embeds?: DiscordEmbed[]
  /** Always `{parse: []}`: log text containing @everyone or <@id> must never ping anyone. */
  allowed_mentions: { parse: [] }
}

const ELLIPSIS = '…'
// Characters Discord's markdown reacts to. `@` is broken with a zero-width space instead, so
// "@everyone" cannot even look like a mention.
const MARKDOWN = /[\\*_~`|>#\-[\]()<:]/g
const ZWSP = '\u200b'

export function escapeMarkdown (text: string): string {
  return text.replace(MARKDOWN, (c) => `\\${c}`).replace(/@/g, `@${ZWSP}`)
}

/** Cuts to `max` characters with an ellipsis, never splitting an escape or a surrogate pair. */
export function truncate (text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= 1) return max === 1 ? ELLIPSIS : ''
  let cut = text.slice(0, max - 1)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  const slashes = /\\+$/.exec(cut)?.[0].length ?? 0
  if (slashes % 2 === 1) cut = cut.slice(0, -1)
  return cut + ELLIPSIS
}

/** Escaped log text in at most `max` characters. */
export function plain (text: string, max: number): string {
  return truncate(escapeMarkdown(text), max)
}

/**
 * A code block holding at most `max` characters in all. Inside it markdown is inert, so only a
 * closing fence could escape: runs of backticks are broken with zero-width spaces.
 */
export function codeBlock (text: string, max: number): string {
  const inner = text.replace(/`/g, `\`${ZWSP}`)
  const room = max - 8
  if (room <= 0) return ''
  // Stacks are read from the top; keep the head.
  return '```\n' + truncate(inner, room) + '\n```'
}

export function embedLength (e: DiscordEmbed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0)
  for (const f of e.fields ?? []) n += f.name.length + f.value.length
  return n
}

export function payloadLength (p: DiscordPayload): number {
  return (p.embeds ?? []).reduce((n, e) => n + embedLength(e), 0)
}

/**
 * The last line of defence: the builders already budget their text, this enforces every limit
 * whatever they produced. Over the total, trailing embeds go first, then trailing fields, then
 * the description shrinks.
 */
export function fitToLimits (payload: DiscordPayload): DiscordPayload {
  const L = DISCORD_LIMITS
  const embeds = (payload.embeds ?? []).slice(0, L.embeds).map((e): DiscordEmbed => ({
    ...e,
    ...(e.title === undefined ? {} : { title: truncate(e.title, L.title) }),
    ...(e.description === undefined ? {} : { description: truncate(e.description, L.description) }),
    ...(e.footer === undefined ? {} : { footer: { text: truncate(e.footer.text, L.footer) } }),
    ...(e.fields === undefined
      ? {}
      : { fields: e.fields.slice(0, L.fields).map((f) => ({ ...f, name: truncate(f.name, L.fieldName) || '\u200b', value: truncate(f.value, L.fieldValue) || '\u200b' })) })
  }))
  const out: DiscordPayload = { ...payload, allowed_mentions: { parse: [] } }
  if (payload.content !== undefined) out.content = truncate(payload.content, L.content)
  if (payload.embeds === undefined) return out

  const total = (): number => embeds.reduce((n, e) => n + embedLength(e), 0)
  while (total() > L.total && embeds.length > 1) embeds.pop()
  const only = embeds[0]
  if (only !== undefined) {
    while (total() > L.total && (only.fields?.length ?? 0) > 0) only.fields?.pop()
    if (total() > L.total && only.description !== undefined) {
      only.description = truncate(only.description, Math.max(0, only.description.length - (total() - L.total)))
    }
  }
  out.embeds = embeds
  return out
}

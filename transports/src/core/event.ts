import { levelRank, levelFromPino, type LevelName } from './levels.js'

export interface TeknoEvent {
  ts?: string | number
  level: LevelName
  message: string
  source?: string
  stack?: string
  context?: Record<string, unknown>
  fingerprint?: string
}

/** An event already serialised once: batches are built from these strings, never re-stringified. */
export interface EncodedEvent {
  json: string
  bytes: number
  rank: number
}

/**
 * Metadata from an app can hold cycles, BigInts or getters that throw; the event must still go
 * out, so the fallback replaces what cannot be serialised instead of losing the whole line.
 */
function stringify (event: TeknoEvent): string {
  try {
    return JSON.stringify(event)
  } catch {
    const seen = new WeakSet<object>()
    return JSON.stringify(event, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString()
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]'
        seen.add(value)
      }
      return value
    })
  }
}

function cut (text: string | undefined, max: number): string | undefined {
  return text === undefined || text.length <= max ? text : text.slice(0, max) + '…[truncated]'
}

export function encodeEvent (event: TeknoEvent, maxBytes: number): EncodedEvent {
  let json = stringify(event)
  let bytes = Buffer.byteLength(json)
  if (bytes > maxBytes) {
    // A single huge line must not block its batch forever at the receiver's 512 KiB limit.
    const quarter = Math.floor(maxBytes / 4)
    json = stringify({
      ...event,
      message: cut(event.message, quarter) ?? '',
      stack: cut(event.stack, quarter),
      context: { truncated: true, original_bytes: bytes }
    })
    bytes = Buffer.byteLength(json)
  }
  return { json, bytes, rank: levelRank(event.level) }
}

/** An event read back from the spool, already parsed with its batch: serialised once, never parsed again. */
export function reencodeEvent (parsed: unknown): EncodedEvent {
  const json = JSON.stringify(parsed)
  const level = typeof parsed === 'object' && parsed !== null ? (parsed as { level?: unknown }).level : undefined
  return { json, bytes: Buffer.byteLength(json), rank: levelRank(levelFromPino(level)) }
}

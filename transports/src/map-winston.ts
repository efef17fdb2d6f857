import type { TeknoEvent } from './core/event.js'
import { levelFromWinston } from './core/levels.js'

const LEVEL = Symbol.for('level')

/**
 * One winston info object to one event. The level comes from the symbol winston keeps
 * uncoloured, since `format.colorize()` rewrites `info.level` with escape codes.
 */
export function fromWinston (info: Record<string | symbol, unknown>, source: string | undefined): TeknoEvent {
  // Object.entries skips winston's symbol keys (the formatted MESSAGE, SPLAT), which are copies.
  const fields = Object.fromEntries(Object.entries(info))
  // logger.error(err) without format.errors() hands over the Error itself, whose message and
  // stack are not enumerable.
  if (info instanceof Error) {
    fields.message ??= info.message
    fields.stack ??= info.stack
  }
  const { level, message, stack, label, timestamp, ...context } = fields
  const rawLevel = info[LEVEL] ?? level
  let errorStack = typeof stack === 'string' ? stack : undefined
  for (const key of ['error', 'err']) {
    const value = context[key]
    if (value instanceof Error) {
      errorStack ??= value.stack
      context[key] = { ...value, name: value.name, message: value.message }
    }
  }
  const ts = typeof timestamp === 'string' || typeof timestamp === 'number' ? new Date(timestamp).getTime() : NaN
  const event: TeknoEvent = {
    ts: Number.isNaN(ts) ? Date.now() : ts,
    level: levelFromWinston(rawLevel),
    message: typeof message === 'string' ? message : message === undefined ? '' : JSON.stringify(message)
  }
  const eventSource = source ?? (typeof label === 'string' ? label : undefined)
  if (eventSource !== undefined) event.source = eventSource
  if (errorStack !== undefined) event.stack = errorStack
  if (Object.keys(context).length > 0) event.context = context
  return event
}

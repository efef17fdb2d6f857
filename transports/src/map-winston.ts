import type { TeknoEvent } from './core/event.js'
import { levelFromWinston } from './core/levels.js'

const LEVEL = Symbol.for('level')

/**
 * One winston info object to one event. The level comes from the symbol winston keeps
 * uncoloured, since `format.colorize()` rewrites `info.level` with escape codes.
 */
export function fromWinston (info: Record<string | symbol, unknown>, source: string | undefined): TeknoEvent {
  // One pass over the own string keys, which skips winston's symbol keys (the formatted MESSAGE,
  // SPLAT: copies). It runs for every line in the app's own thread, so no intermediate copies.
  let level: unknown, message: unknown, stack: unknown, label: unknown, timestamp: unknown
  const context: Record<string, unknown> = {}
  for (const key of Object.keys(info)) {
    const value = info[key]
    switch (key) {
      case 'level': level = value; break
      case 'message': message = value; break
      case 'stack': stack = value; break
      case 'label': label = value; break
      case 'timestamp': timestamp = value; break
      default: context[key] = value
    }
  }
  // logger.error(err) without format.errors() hands over the Error itself, whose message and
  // stack are not enumerable.
  if (info instanceof Error) {
    message ??= info.message
    stack ??= info.stack
  }
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

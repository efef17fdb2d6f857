import type { TeknoEvent } from './core/event.js'
import { levelFromPino } from './core/levels.js'

export interface PinoKeys {
  messageKey: string
  errorKey: string
}

function errorParts (value: unknown): { message?: string, stack?: string, rest?: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null) return {}
  const { message, stack, ...rest } = value as Record<string, unknown>
  return {
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof stack === 'string' ? { stack } : {}),
    ...(Object.keys(rest).length > 0 ? { rest } : {})
  }
}

/** One parsed pino line to one event; everything without a field of its own stays in context. */
export function fromPino (log: Record<string, unknown>, keys: PinoKeys, source: string | undefined): TeknoEvent {
  const { level, time, name, [keys.messageKey]: msg, [keys.errorKey]: err, ...context } = log
  const error = errorParts(err)
  if (error.rest !== undefined) context[keys.errorKey] = error.rest
  const message = typeof msg === 'string' ? msg : msg === undefined ? (error.message ?? '') : JSON.stringify(msg)
  const event: TeknoEvent = {
    ts: typeof time === 'number' || typeof time === 'string' ? time : Date.now(),
    level: levelFromPino(level),
    message
  }
  const eventSource = source ?? (typeof name === 'string' ? name : undefined)
  if (eventSource !== undefined) event.source = eventSource
  if (error.stack !== undefined) event.stack = error.stack
  if (Object.keys(context).length > 0) event.context = context
  return event
}

/** A line as the worker reads it: parsed once, the text kept for a primary that wants it unchanged. */
export interface PinoRecord {
  line: string
  log: Record<string, unknown> | null
}

/** pino only writes JSON, but a line can still be cut or foreign; it is kept as text, not lost. */
export function readPinoLine (line: string): PinoRecord {
  let log: unknown
  try {
    log = JSON.parse(line)
  } catch {
    log = undefined
  }
  return { line, log: typeof log === 'object' && log !== null && !Array.isArray(log) ? log as Record<string, unknown> : null }
}

export function fromPinoRecord (record: PinoRecord, keys: PinoKeys, source: string | undefined): TeknoEvent {
  if (record.log !== null) return fromPino(record.log, keys, source)
  return { ts: Date.now(), level: 'info', message: record.line, ...(source === undefined ? {} : { source }) }
}

export function fromPinoLine (line: string, keys: PinoKeys, source: string | undefined): TeknoEvent {
  return fromPinoRecord(readPinoLine(line), keys, source)
}

import { EventEmitter } from 'node:events'
import Transport from 'winston-transport'

type Info = Record<string | symbol, unknown>
const LEVEL = Symbol.for('level')

/** A line the primary has not taken yet: `then` runs once it has; the function returned forgets `then`. */
export type Pending = (then: () => void) => () => void

interface PrimaryFields {
  levels?: Record<string, number>
  parent?: { level?: string } | null
  silent?: boolean
  handleExceptions?: boolean
  format?: { transform: (info: Info, options?: unknown) => Info | boolean, options?: unknown }
}

/**
 * Hands lines to the primary. A stock winston transport gets each line through its own `log()`,
 * after the level, `silent` and format checks its `_write()` would make, and its callback holds
 * the logger back: so there is one object-mode stream between the logger and the file, as when
 * the file is the logger's own transport, and not two. (Same-process A/B, File primary against
 * File alone: 0.72-0.90 of its rate through `write()`, 0.85-0.98 this way.) A transport with a
 * `_write()` of its own, or one not piped to a logger yet, gets `write()` and its 'drain'.
 *
 * Returns a function that takes one line and answers null once the primary has it, or a Pending
 * while it holds the line back. A format that throws, throws here, as `write()` would.
 */
export function primaryTaker (primary: Transport): (info: Info) => Pending | null {
  const p = primary as Transport & PrimaryFields
  const stock = typeof p.log === 'function' &&
    p._write === Transport.prototype._write &&
    p._writev === Transport.prototype._writev

  const throughWrite = (info: Info): Pending | null => {
    if (p.write(info)) return null
    return (then) => {
      p.once('drain', then)
      return () => { p.off('drain', then) }
    }
  }

  return (info) => {
    if (!stock || p.levels === undefined || p.writableEnded || p.destroyed) return throughWrite(info)
    if (p.silent === true || (info.exception === true && p.handleExceptions !== true)) return null
    const level = p.level ?? p.parent?.level
    if (level !== undefined && level !== '' && !(p.levels[level]! >= p.levels[info[LEVEL] as string]!)) return null
    let line = info
    if (p.format !== undefined) {
      const transformed = p.format.transform(Object.assign({}, info), p.format.options)
      if (transformed === false || transformed === null || typeof transformed !== 'object') return null
      line = transformed
    }
    let taken = false
    let then: (() => void) | null = null
    p.log!(line, () => {
      if (taken) return
      taken = true
      then?.()
    })
    if (taken) return null
    return (next) => {
      then = next
      return () => { then = null }
    }
  }
}

type FileStream = NodeJS.WritableStream & { errored?: Error | null, path?: unknown }

/**
 * For winston's File: why its file stream failed, or null. File pipes its lines into an
 * fs.WriteStream (`_dest`) whose errors it only logs under DEBUG, so a full disk or a file that
 * cannot be opened is invisible from outside. Its lines then pile up in front of the stream
 * until the process ends, and none reaches the file. Other primaries answer null: their errors
 * are events.
 */
export function fileFailure (primary: Transport): (() => string | null) | undefined {
  const file = primary as Transport & { filename?: unknown, _dest?: FileStream }
  if (typeof file.filename !== 'string' || !('_dest' in file || '_stream' in file)) return undefined
  return () => {
    const error = file._dest?.errored
    if (error === undefined || error === null) return null
    return `its file ${String(file._dest?.path ?? file.filename)} failed (${error.message})`
  }
}

/**
 * Streams inside a primary whose 'error' nobody listens to: winston-daily-rotate-file (5.0) writes
 * through file-stream-rotator's `logStream` and never listens to it, so a full disk throws
 * 'Unhandled error event' inside the app. Listened to, such an error diverts instead. Checked by
 * listener count, so a version that listens itself is left alone.
 */
export function unheardStreams (primary: Transport): EventEmitter[] {
  const inner = (primary as { logStream?: unknown }).logStream
  return inner instanceof EventEmitter && inner !== primary && inner.listenerCount('error') === 0 ? [inner] : []
}

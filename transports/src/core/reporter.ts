import { writeSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import type { TeknoWarning } from './options.js'

/**
 * Delivery trouble must never throw into the app (an 'error' is fatal under pino and throws
 * under winston when unheard), yet must never vanish: each kind is printed once and every
 * occurrence is counted, so a flood of identical failures costs one line on stderr.
 */
export class Reporter {
  #counts = new Map<string, number>()
  #printed = new Set<string>()
  #sink: (warning: TeknoWarning) => void

  constructor (sink?: (warning: TeknoWarning) => void) {
    this.#sink = sink ?? ((warning) => {
      const code = 'TEKNO_' + warning.kind.toUpperCase().replace(/[^A-Z0-9]+/g, '_')
      // A worker's stderr is relayed by the app's thread, which is blocked or gone while pino
      // flushes at exit: exactly when warnings matter. Writing to fd 2 directly cannot be lost.
      if (isMainThread) process.emitWarning(warning.message, { code })
      else writeSync(2, `(tekno-logger) [${code}] Warning: ${warning.message}\n`)
    })
  }

  warn (kind: string, message: string): void {
    const count = (this.#counts.get(kind) ?? 0) + 1
    this.#counts.set(kind, count)
    if (this.#printed.has(kind)) return
    this.#printed.add(kind)
    try {
      this.#sink({ kind, message: 'tekno-logger: ' + message, count })
    } catch (err) {
      // A throwing sink is the user's bug; printing it is the only safe thing left to do.
      process.stderr.write(`tekno-logger: warning sink threw: ${String(err)}\n`)
    }
  }

  /** Lets a later, different failure of the same kind be printed again once it recovered. */
  reset (kind: string): void {
    this.#printed.delete(kind)
  }

  counts (): Record<string, number> {
    return Object.fromEntries(this.#counts)
  }
}

import { createRequire } from 'node:module'
import { isAbsolute, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import type { TeknoEvent } from './core/event.js'
import type { Resolved } from './core/options.js'
import { Overflow } from './core/overflow.js'
import { within } from './core/within.js'
import type { Shipper } from './core/shipper.js'
import type { PinoConfig, PinoPrimaryTarget } from './pino.js'

export interface PinoPrimary {
  write (line: string): void
  /**
   * While the primary loads, or one that writes to a file descriptor holds more than its
   * high-water mark: resolves once it is loaded, has room or has failed, or after a second (once
   * per load or stall, not once a line). Null when there is nothing to wait for.
   */
  room (): Promise<void> | null
  trip (reason?: string, forMs?: number): void
  close (): Promise<void>
}

type Factory = (options: unknown) => NodeJS.WritableStream | Promise<NodeJS.WritableStream>

/** pino resolves a target from the app that named it; inside our worker the app's cwd stands in. */
async function loadFactory (target: string): Promise<Factory> {
  let file = target
  if (!isAbsolute(target) && !target.startsWith('file:')) {
    try {
      file = createRequire(join(process.cwd(), 'noop.js')).resolve(target)
    } catch {
      file = require.resolve(target)
    }
  }
  let mod = await import(file.startsWith('file:') ? file : pathToFileURL(file).href) as { default?: unknown }
  // ESM namespace of a CommonJS module with its own `default` export nests one level deeper.
  while (typeof mod === 'object' && mod !== null && 'default' in mod && typeof mod !== 'function') mod = mod.default as { default?: unknown }
  if (typeof mod !== 'function') throw new TypeError(`${target} does not export a pino transport function`)
  return mod as unknown as Factory
}

function originsOf (options: Record<string, unknown> | undefined, explicit: string[] | undefined): string[] | undefined {
  if (explicit !== undefined) return explicit
  const origins: string[] = []
  for (const key of ['host', 'url', 'endpoint', 'baseUrl']) {
    const value = options?.[key]
    if (typeof value === 'string' && /^https?:\/\//.test(value)) origins.push(value)
  }
  return origins.length > 0 ? origins : undefined
}

/**
 * How long the read loop waits for the primary to load, or a file primary to make room, before
 * reading on anyway: one that never loads, drains or fails must not stop the logs.
 */
const ROOM_WAIT_MS = 1000

/**
 * A destination writing straight to a file descriptor (sonic-boom: pino/file, pino.destination,
 * pino-roll): once it has closed, every line it took was written to its file or terminal.
 */
function writesToFd (stream: NodeJS.WritableStream): boolean {
  return typeof (stream as { fd?: unknown }).fd === 'number'
}

/**
 * Runs the primary pino transport inside our worker and puts the overflow logic in front of it.
 * Lines that arrive while the primary is still loading wait in order and are in the ring.
 */
export function openPinoPrimary (target: PinoPrimaryTarget, options: Resolved, shipper: Shipper, toEvent: (line: string) => TeknoEvent, config: () => PinoConfig | null, inWorker: boolean): PinoPrimary {
  let stream: NodeJS.WritableStream | null = null
  let pending: string[] | null = []
  /** The fd primary's last write() answered false, and no 'drain' has come since. */
  let full = false
  /**
   * It then kept the read loop waiting a whole ROOM_WAIT_MS: stuck, not busy. Until its next
   * 'drain' the loop reads on as if it had room, as it does while the primary loads past that.
   */
  let stalled = false
  /** The primary reported an error: a file destination then never closes (its last write fails again). */
  let errored = false
  let loading: Promise<void> | null = null
  const overflow = new Overflow<string>({
    options,
    shipper,
    toEvent,
    sink: (line) => {
      if (pending !== null) pending.push(line)
      else if (!stream!.write(line + '\n') && writesToFd(stream!)) full = true
    },
    origins: originsOf(target.options, options.failover.origins),
    // Inside our own worker every request that is not ours is the primary's; in the app's
    // thread (createStream) the app's own requests would be mistaken for the primary's.
    watchAllOrigins: inWorker
  })
  const ready = (async () => {
    const factory = await loadFactory(target.target)
    const made = factory(target.options ?? {})
    // A primary built with expectPinoConfig waits for pino's config message; if it came before
    // the primary was loaded, it gets a copy (if not, it receives the original itself).
    const seen = config()
    if (inWorker && seen !== null && (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true) {
      parentPort?.emit('message', { code: 'PINO_CONFIG', config: seen })
    }
    stream = await made
    stream.on('error', (err: Error) => {
      errored = true
      overflow.result({ ok: false, message: err.message }, undefined)
    })
    stream.on('drain', () => {
      full = false
      stalled = false
    })
    for (const line of pending ?? []) stream.write(line + '\n')
    pending = null
  })().catch((err: Error) => {
    pending = null
    shipper.reporter.warn('primary-load', `cannot start the primary ${target.target}: ${err.message}`)
    overflow.trip(`primary ${target.target} did not start`, Number.MAX_SAFE_INTEGER)
  })

  return {
    write: (line) => overflow.write(line),
    room () {
      if (pending !== null) return (loading ??= within(ready, ROOM_WAIT_MS, undefined))
      const primary = stream
      if (!full || stalled || primary === null || overflow.state === 'diverted') return null
      const drained = new Promise<boolean>((resolve) => {
        const done = (): void => {
          primary.off('drain', done)
          primary.off('error', done)
          resolve(false)
        }
        primary.once('drain', done)
        primary.once('error', done)
      })
      return within(drained, ROOM_WAIT_MS, true).then((timedOut) => { stalled = timedOut })
    },
    trip: (reason, forMs) => overflow.trip(reason, forMs),
    async close () {
      await ready
      const primary = stream
      let endedLocally = false
      const budget = Math.min(4000, options.closeTimeoutMs / 2)
      const started = performance.now()
      if (primary !== null && errored && writesToFd(primary)) {
        // sonic-boom ends by writing what it holds, which fails again: no 'close' would come.
        primary.end()
      } else if (primary !== null) {
        // The primary's own close flushes its batch; its answer still counts for the ring.
        const closed = new Promise<boolean>((resolve) => primary.once('close', () => { resolve(true) }))
        primary.end()
        const ended = await Promise.race([closed, options.sleep(budget).then(() => false)])
        endedLocally = ended && writesToFd(primary)
      }
      await overflow.answered(budget - (performance.now() - started))
      overflow.close(endedLocally)
    }
  }
}

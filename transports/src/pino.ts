import build from 'pino-abstract-transport'
import { workerData } from 'node:worker_threads'
import { resolveOptions, type Injected, type TeknoOptions } from './core/options.js'
import { Shipper, type ShipperStats } from './core/shipper.js'
import { fromPinoLine, type PinoKeys } from './map-pino.js'
import { openPinoPrimary, type PinoPrimary } from './pino-primary.js'

export type { TeknoOptions } from './core/options.js'
export type { ShipperStats } from './core/shipper.js'

export interface PinoPrimaryTarget {
  target: string
  options?: Record<string, unknown>
}

export interface TeknoPinoOptions extends TeknoOptions {
  /** An existing pino transport that gets every line while it is healthy. */
  primary?: PinoPrimaryTarget
}

type SourceStream = AsyncIterable<string> & { messageKey?: string, errorKey?: string, levels?: unknown }

export interface TeknoPinoStream extends NodeJS.WritableStream {
  /** Sends or spools everything written so far; pino's logger.flush(cb) calls this. */
  flush (cb?: (err?: Error) => void): Promise<void>
  /** Stops sending to the primary, as if it had reported it is over quota. */
  trip (reason?: string, forMs?: number): void
  stats (): ShipperStats
}

function create (options: TeknoPinoOptions & Injected, waitForConfig: boolean): TeknoPinoStream | Promise<TeknoPinoStream> {
  const resolved = resolveOptions(options)
  const shipper = new Shipper(resolved)
  const keys: PinoKeys = { messageKey: 'msg', errorKey: 'err' }
  const toEvent = (line: string) => fromPinoLine(line, keys, resolved.source)
  let primary: PinoPrimary | null = null

  const stream = build(async (source: SourceStream) => {
    keys.messageKey = source.messageKey ?? keys.messageKey
    keys.errorKey = source.errorKey ?? keys.errorKey
    if (options.primary !== undefined) primary = openPinoPrimary(options.primary, resolved, shipper, toEvent, source, waitForConfig)
    // Only enqueue here: awaiting the network would let a slow receiver push back into the app.
    for await (const line of source) {
      if (primary !== null) primary.write(line)
      else shipper.push(toEvent(line))
    }
  }, {
    parse: 'lines',
    expectPinoConfig: waitForConfig,
    async close () {
      // The primary first: what it fails to deliver while closing still reaches the shipper.
      await (primary as PinoPrimary | null)?.close()
      await shipper.close()
    }
  })

  const extend = (s: NodeJS.WritableStream): TeknoPinoStream => Object.assign(s, {
    flush (cb?: (err?: Error) => void): Promise<void> {
      // Lines written just before are still in the line splitter; the read loop takes them next turn.
      const done = new Promise((resolve) => setImmediate(resolve)).then(() => shipper.flush())
      if (cb !== undefined) done.then(() => cb(), cb)
      return done
    },
    trip (reason?: string, forMs?: number): void {
      (primary as PinoPrimary | null)?.trip(reason, forMs)
    },
    stats: () => shipper.stats()
  })
  return stream instanceof Promise ? stream.then(extend) : extend(stream)
}

/** The worker entry point pino loads for `target: 'tekno-logger/pino'`. */
export default async function teknoPinoTransport (options: TeknoPinoOptions): Promise<TeknoPinoStream> {
  const fromPino = (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true
  return await create(options, fromPino)
}

/**
 * The same transport in the app's own thread, for bundled or serverless apps where a worker
 * does not fit: `pino(options, createStream({ url, key, secret }))`.
 */
export function createStream (options: TeknoPinoOptions & Injected): TeknoPinoStream {
  return create(options, false) as TeknoPinoStream
}

import build from 'pino-abstract-transport'
import { parentPort, workerData } from 'node:worker_threads'
import { resolveOptions, type Injected, type TeknoOptions } from './core/options.js'
import { Shipper, type ShipperStats } from './core/shipper.js'
import { fromPinoLine, fromPinoRecord, readPinoLine, type PinoKeys, type PinoRecord } from './map-pino.js'
import { openPinoPrimary, type PinoPrimary } from './pino-primary.js'
import { within } from './core/within.js'

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

export interface PinoConfig { levels?: unknown, messageKey?: string, errorKey?: string }

/** How long the first line waits for pino's config message. */
const CONFIG_WAIT_MS = 1000

/**
 * pino posts its messageKey/errorKey to the worker when the logger is built. We read that message
 * ourselves instead of using expectPinoConfig, which holds the worker's 'ready' until then: an app
 * that awaits 'ready' before calling pino(transport) would wait forever.
 */
function watchPinoConfig (keys: PinoKeys, config: { current: PinoConfig | null }, onConfig: () => void): void {
  if (parentPort === null) return
  const port = parentPort
  const handler = (message: { code?: string, config?: PinoConfig }): void => {
    if (message?.code !== 'PINO_CONFIG' || message.config === undefined) return
    config.current = message.config
    keys.messageKey = message.config.messageKey ?? keys.messageKey
    keys.errorKey = message.config.errorKey ?? keys.errorKey
    port.off('message', handler)
    onConfig()
  }
  port.on('message', handler)
}

export interface TeknoPinoStream extends NodeJS.WritableStream {
  /** Sends or spools everything written so far; pino's logger.flush(cb) calls this. */
  flush (cb?: (err?: Error) => void): Promise<void>
  /** Stops sending to the primary, as if it had reported it is over quota. */
  trip (reason?: string, forMs?: number): void
  stats (): ShipperStats
}

function create (options: TeknoPinoOptions & Injected, inWorker: boolean): TeknoPinoStream {
  const resolved = resolveOptions(options)
  const shipper = new Shipper(resolved)
  const keys: PinoKeys = { messageKey: 'msg', errorKey: 'err' }
  const toEvent = (line: string) => fromPinoLine(line, keys, resolved.source)
  const config: { current: PinoConfig | null } = { current: null }
  let primary: PinoPrimary | null = null
  const deliver = (record: PinoRecord): void => {
    if (primary !== null) primary.write(record.line)
    else shipper.push(fromPinoRecord(record, keys, resolved.source))
  }
  // The first lines can be read before pino's config message is handled; they wait for it (a
  // second at most) so that a custom messageKey applies to them too.
  let configSeen: Promise<void> | null = null
  if (inWorker) configSeen = new Promise((resolve) => { watchPinoConfig(keys, config, resolve) })

  const stream = build(async (source: AsyncIterable<PinoRecord>) => {
    if (options.primary !== undefined) primary = openPinoPrimary(options.primary, resolved, shipper, toEvent, () => config.current, inWorker)
    // Only enqueue here: awaiting the network would let a slow receiver push back into the app.
    // The waits below are pino's own: a primary still loading, or a file primary's backpressure as
    // pino/file alone would feel it. Meanwhile the lines wait in pino's buffers, not in front of
    // the primary, where more than the ring holds could be lost with a full disk.
    for await (const record of source) {
      if (configSeen !== null) {
        await within(configSeen, CONFIG_WAIT_MS, undefined)
        configSeen = null
      }
      deliver(record)
      const room = (primary as PinoPrimary | null)?.room()
      if (room != null) await room
    }
  }, {
    // Each line is parsed here once and kept as text too. With parse: 'lines' the line would be
    // parsed by pino-abstract-transport (only to be returned as text) and then again by us; this
    // parser never throws, so a line that is not JSON reaches us instead of an 'unknown' event.
    parseLine: readPinoLine,
    metadata: false,
    async close () {
      // The primary first: what it fails to deliver while closing still reaches the shipper.
      await (primary as PinoPrimary | null)?.close()
      await shipper.close()
    }
  })

  return Object.assign(stream, {
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
}

/** The worker entry point pino loads for `target: 'tekno-logger/pino'`. */
export default async function teknoPinoTransport (options: TeknoPinoOptions): Promise<TeknoPinoStream> {
  const fromPino = (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true
  return create(options, fromPino)
}

/**
 * The same transport in the app's own thread, for bundled or serverless apps where a worker
 * does not fit: `pino(options, createStream({ url, key, secret }))`.
 */
export function createStream (options: TeknoPinoOptions & Injected): TeknoPinoStream {
  return create(options, false)
}

import Transport from 'winston-transport'
import { resolveOptions, type Injected, type TeknoOptions } from './core/options.js'
import { Shipper, type ShipperStats } from './core/shipper.js'
import { fromWinston } from './map-winston.js'

export type { TeknoOptions } from './core/options.js'
export type { ShipperStats } from './core/shipper.js'

export interface TeknoTransportOptions extends TeknoOptions, Transport.TransportStreamOptions {
  /** An existing winston transport instance that gets every log while it is healthy. */
  primary?: Transport
}

type Info = Record<string | symbol, unknown>

/**
 * A winston transport for the Tekno receiver. log() only enqueues; delivery trouble is a
 * warning, never an 'error' event, because an unheard 'error' would throw inside the app.
 */
export class TeknoTransport extends Transport {
  #shipper: Shipper
  #source: string | undefined
  #closing: Promise<void> | null = null

  constructor (options: TeknoTransportOptions & Injected) {
    super(options)
    const resolved = resolveOptions(options)
    this.#source = resolved.source
    this.#shipper = new Shipper(resolved)
  }

  override log (info: Info, callback: () => void): void {
    setImmediate(() => this.emit('logged', info))
    this.#shipper.push(fromWinston(info, this.#source))
    callback()
  }

  /** Resolves when everything logged so far is committed by the receiver or safe in the spool. */
  flush (): Promise<void> {
    return this.#shipper.flush()
  }

  trip (_reason?: string, _forMs?: number): void {}

  stats (): ShipperStats {
    return this.#shipper.stats()
  }

  /** winston calls this on logger.close() and when the transport is removed. */
  override close (): void {
    void this.#end()
  }

  /** logger.end() reaches here: 'finish' is only emitted once the logs are delivered or spooled. */
  override _final (callback: (error?: Error | null) => void): void {
    this.#end().then(() => callback(), callback)
  }

  #end (): Promise<void> {
    this.#closing ??= this.#shipper.close()
    return this.#closing
  }
}

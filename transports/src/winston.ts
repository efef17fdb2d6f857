import Transport from 'winston-transport'
import { Overflow } from './core/overflow.js'
import { resolveOptions, type Injected, type Resolved, type TeknoOptions } from './core/options.js'
import { Shipper, type ShipperStats } from './core/shipper.js'
import { within } from './core/within.js'
import { fromWinston } from './map-winston.js'
import { fileFailure, primaryTaker, unheardStreams, type Pending } from './winston-primary.js'

export type { TeknoOptions } from './core/options.js'
export type { ShipperStats } from './core/shipper.js'

export interface TeknoTransportOptions extends TeknoOptions, Transport.TransportStreamOptions {
  /** An existing winston transport instance that gets every log while it is healthy. */
  primary?: Transport
}

type Info = Record<string | symbol, unknown>

/**
 * How long log() waits for the primary to take a line before taking the next one anyway. A primary
 * that never drains and never fails must not stall the app's logger; its lines are in the ring.
 */
const PRIMARY_DRAIN_WAIT_MS = 1000
/**
 * While log() waits for a File primary, how often it looks whether the file stream failed. Such a
 * wait never ends by itself: the lines are stuck in front of a stream that has stopped.
 */
const FILE_FAILURE_POLL_MS = 50
/** How often end() looks whether the logger has handed over the lines it held. */
const LOGGER_DRAIN_POLL_MS = 5
/** How long flushing or closing waits for the primary's own flush or end before going on without it. */
const PRIMARY_END_WAIT_MS = 4000
type Primary = Transport & { flush?: () => Promise<unknown>, batcher?: { url?: unknown }, options?: { host?: unknown } }

/**
 * Where the primary sends its HTTP, when it says so: winston-loki keeps it on its batcher, and
 * winston's Http keeps a bare host, a port and `ssl` apart.
 */
function originsOf (primary: Primary, resolved: Resolved): string[] | undefined {
  if (resolved.failover.origins !== undefined) return resolved.failover.origins
  const { host, port, ssl } = primary as { host?: unknown, port?: unknown, ssl?: unknown }
  const candidates = [primary.batcher?.url, primary.options?.host, host]
  if (typeof host === 'string' && typeof ssl === 'boolean' && (typeof port === 'number' || typeof port === 'string')) {
    candidates.push(`${ssl ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`)
  }
  const found = candidates.map((c) => String(c ?? '')).filter((c) => /^https?:\/\//.test(c))
  return found.length > 0 ? found : undefined
}

/** A File (winston's, or a rotating one: anything with a `filename`) or the Console: no HTTP of its own. */
function writesLocally (primary: Primary): boolean {
  const { filename, name } = primary as { filename?: unknown, name?: unknown }
  return typeof filename === 'string' || name === 'console'
}

/**
 * A winston transport for the Tekno receiver. log() only enqueues; delivery trouble is a
 * warning, never an 'error' event, because an unheard 'error' would throw inside the app.
 */
export class TeknoTransport extends Transport {
  #shipper: Shipper
  #source: string | undefined
  #primary: Primary | null
  /** A File primary: log() also looks whether its file failed while it waits for it. */
  #watchesFile = false
  #overflow: Overflow<Info> | null = null
  #closing: Promise<void> | null = null
  /** When end() stops waiting for the logger to hand over its lines (0: end() not called yet). */
  #endWaitUntil = 0
  /** The line just handed to the primary, while the primary holds it back. */
  #pending: Pending | null = null
  /** Lines whose 'logged' is due on the next turn: one setImmediate for a burst, not one a line. */
  #logged: Info[] = []
  #emitLogged = (): void => {
    const infos = this.#logged
    this.#logged = []
    for (const info of infos) this.emit('logged', info)
  }

  constructor (options: TeknoTransportOptions & Injected) {
    const { primary, ...rest } = options
    super(rest)
    const resolved = resolveOptions(rest)
    this.#source = resolved.source
    this.#shipper = new Shipper(resolved)
    this.#primary = primary ?? null
    if (primary !== undefined) {
      const take = primaryTaker(primary)
      const failure = fileFailure(primary)
      this.#watchesFile = failure !== undefined
      const origins = originsOf(primary, resolved)
      // A file or the console makes no requests to watch: nothing to warn about.
      if (origins === undefined && !writesLocally(primary)) this.#shipper.reporter.warn('primary-origins', 'cannot tell which HTTP requests are the primary\'s; only its errors and trip() divert logs (set failover.origins)')
      this.#overflow = new Overflow<Info>({
        options: resolved,
        shipper: this.#shipper,
        toEvent: (info) => fromWinston(info, this.#source),
        sink: (info) => { this.#pending = take(info) },
        origins,
        watchAllOrigins: false,
        failure
      })
      const overflow = this.#overflow
      // Listening also keeps an 'error' of the primary from throwing inside the app.
      primary.on('error', (err: Error & { statusCode?: number }) => {
        overflow.result({ ok: false, message: err.message, ...(typeof err.statusCode === 'number' ? { status: err.statusCode } : {}) }, undefined)
      })
      for (const stream of unheardStreams(primary)) {
        stream.on('error', (err: Error) => {
          // One trip per failure, not one per write that fails after it.
          if (overflow.state !== 'diverted') overflow.trip(`its file stream failed (${err.message})`)
        })
      }
      // The primary is never piped from the logger itself; this hands it the logger's levels.
      this.on('pipe', (logger: unknown) => primary.emit('pipe', logger))
    }
  }

  override log (info: Info, callback: () => void): void {
    if (this.#logged.push(info) === 1) setImmediate(this.#emitLogged)
    if (this.#overflow === null) {
      this.#shipper.push(fromWinston(info, this.#source))
      callback()
      return
    }
    this.#overflow.write(info)
    const pending = this.#pending
    if (pending === null) {
      callback()
      return
    }
    // Pass the primary's backpressure on to the logger, as winston does when the primary is its
    // own transport. Without it every line would pile up in front of the primary.
    this.#pending = null
    let done = false
    let forget = (): void => {}
    let poll: NodeJS.Timeout | undefined
    const next = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      clearInterval(poll)
      forget()
      callback()
    }
    const timer = setTimeout(next, PRIMARY_DRAIN_WAIT_MS)
    timer.unref()
    forget = pending(next)
    // Not unref'd: a process with nothing else to do must stay until it knows whether the file took
    // the line, or that line and those behind it in the logger are lost with the process.
    if (!done && this.#watchesFile) poll = setInterval(() => { if (this.#overflow?.failed() === true) next() }, FILE_FAILURE_POLL_MS)
  }

  /** Resolves when everything logged so far is committed by the receiver or safe in the spool. */
  async flush (): Promise<void> {
    await this.#flushPrimary()
    await this.#shipper.flush()
  }

  /** Stops sending to the primary, for providers whose over-quota signal cannot be seen. */
  trip (reason?: string, forMs?: number): void {
    this.#overflow?.trip(reason, forMs)
  }

  get state (): 'primary' | 'diverted' | 'probing' | 'receiver' {
    return this.#overflow?.state ?? 'receiver'
  }

  stats (): ShipperStats & { switches: number } {
    return { ...this.#shipper.stats(), switches: this.#overflow?.switches ?? 0 }
  }

  /**
   * winston's logger ends its transports once its own input has ended, while lines it has already
   * formatted may still wait in it for a transport that holds it back, as this one does while its
   * primary has not taken a line. Written after end(), they fail with 'write after end', which the
   * logger throws inside the app (winston's own Http transport, used alone, does the same). So
   * end() waits, up to PRIMARY_END_WAIT_MS, until the logger has handed over what it holds.
   */
  override end (...args: any[]): this {
    const logger = (this as { parent?: { readableLength?: number } | null }).parent
    if (this.#endWaitUntil === 0) this.#endWaitUntil = performance.now() + PRIMARY_END_WAIT_MS
    if ((logger?.readableLength ?? 0) > 0 && !this.writableEnded && performance.now() < this.#endWaitUntil) {
      setTimeout(() => { this.end(...args) }, LOGGER_DRAIN_POLL_MS)
      return this
    }
    return super.end(...args)
  }

  /** winston calls this on logger.close() and when the transport is removed. */
  override close (): void {
    void this.#end()
  }

  /** logger.end() reaches here: 'finish' is only emitted once the logs are delivered or spooled. */
  override _final (callback: (error?: Error | null) => void): void {
    this.#end().then(() => callback(), callback)
  }

  async #flushPrimary (): Promise<void> {
    if (this.#primary === null || typeof this.#primary.flush !== 'function') return
    const flushed = Promise.resolve(this.#primary.flush()).then(() => undefined, (err: Error) => {
      this.#overflow?.result({ ok: false, message: err.message }, undefined)
    })
    await within(flushed, PRIMARY_END_WAIT_MS, undefined)
  }

  /**
   * `ended`'s answer, or false after PRIMARY_END_WAIT_MS; for a File primary, false as soon as its
   * file stream is seen failed (polled: winston tells nobody). A failed File waits for its stream's
   * end, which will not come; its lines now go to the receiver at once, not after the 4 s a File
   * that could not open its file used to cost.
   */
  async #endedOrFailed (ended: Promise<boolean>): Promise<boolean> {
    if (!this.#watchesFile) return await within(ended, PRIMARY_END_WAIT_MS, false)
    let poll: NodeJS.Timeout | undefined
    const failed = new Promise<false>((resolve) => {
      const check = (): void => { if (this.#overflow?.failed() === true) resolve(false) }
      poll = setInterval(check, FILE_FAILURE_POLL_MS)
      check()
    })
    try {
      return await within(Promise.race([ended, failed]), PRIMARY_END_WAIT_MS, false)
    } finally {
      clearInterval(poll)
    }
  }

  /**
   * Flushes, ends and closes the primary, as the logger would its own transport, and answers
   * whether it writes locally and finished in time. For a File, finished means its file stream
   * did too.
   */
  async #endPrimary (): Promise<boolean> {
    const primary = this.#primary
    if (primary === null) return false
    const deadline = performance.now() + PRIMARY_END_WAIT_MS
    const finished = (stream: NodeJS.WritableStream & { writableFinished?: boolean }): Promise<boolean> => stream.writableFinished === true
      ? Promise.resolve(true)
      : new Promise((resolve) => {
        stream.once('finish', () => { resolve(true) })
        stream.once('error', () => { resolve(false) })
      })
    // Its flush, end and close together, as winston-loki needs: its flush waits for its next send,
    // up to its interval (5 s by default), and its close makes that send at once and answers when
    // it is done. One after the other, a shutdown took 4.4 s and the batch was still in flight
    // when the ring was replayed: every line reached the receiver as well.
    const flushed = this.#flushPrimary()
    const ended = finished(primary)
    if (!primary.writableEnded) primary.end()
    let ok = await this.#endedOrFailed(ended)
    const closed = Promise.resolve(primary.close?.()).catch(() => undefined)
    await within(Promise.all([flushed, closed]), deadline - performance.now(), undefined)
    // An older winston File finishes without waiting for its file stream, which its close ends.
    const dest = (primary as { _dest?: NodeJS.WritableStream & { writableFinished?: boolean } })._dest
    if (ok && dest !== undefined && typeof dest.once === 'function') ok = await within(finished(dest), deadline - performance.now(), false)
    return ok && writesLocally(primary)
  }

  #end (): Promise<void> {
    this.#closing ??= (async () => {
      const endedLocally = await this.#endPrimary()
      await this.#overflow?.answered(PRIMARY_END_WAIT_MS)
      this.#overflow?.close(endedLocally)
      await this.#shipper.close()
    })()
    return this.#closing
  }
}

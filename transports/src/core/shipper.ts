import { backoffDelay } from './backoff.js'
import { encodeBatch, newBatch, type Batch } from './batch.js'
import { encodeEvent, type TeknoEvent } from './event.js'
import { levelRank, LEVELS } from './levels.js'
import type { Resolved } from './options.js'
import { Reporter } from './reporter.js'
import { Sender } from './sender.js'
import { droppedNotice, shed } from './shed.js'
import { Spool } from './spool.js'
import { applyRemoteConfig, SAMPLED_BELOW_RANK, type Sampling } from './remote-config.js'

/** Deadlines use the real clock even when tests inject sleep: they bound shutdown, not retries. */
function deadline (ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref() })
}

/**
 * Shippers not closed yet. An app that calls process.exit() (or dies of an uncaught exception
 * that its logger reported) gives no transport a turn to send: on 'exit', which allows only
 * synchronous work, each writes what it holds to its spool, and the next process with the same
 * receiver and key sends it. One listener for all, so many transports add no listener warnings.
 */
const openShippers = new Set<Shipper>()
const spillOnExit = (): void => { for (const shipper of openShippers) shipper.spillOnExit() }

export interface ShipperStats {
  sent: number
  batches: number
  rejected: number
  retries: number
  spooled: number
  replayed: number
  dropped: number
  bufferedBytes: number
  spoolBytes: number
  unreachable: boolean
  warnings: Record<string, number>
}

/**
 * Owns every event from push() until the receiver has committed it, the spool holds it, or it
 * is counted as dropped. One batch is in flight at a time: order is kept, and a receiver that
 * is down sees one request per backoff step instead of a storm.
 * Order of delivery: the batch in flight, then batches read back from the spool, then the
 * spool file, then memory; spills always take the oldest batches in memory, and the spool
 * sorts by creation what it reads back at a time, so that order is also the order the events
 * were pushed (across the chunks of a large spool, the batch in flight when the receiver went
 * away may come a little late; each event keeps its own ts).
 */
export class Shipper {
  readonly reporter: Reporter
  #options: Resolved
  #sender: Sender
  #spool: Spool | null
  #current: Batch = newBatch()
  #queue: Batch[] = []
  #bufferedBytes = 0
  #replay: Batch[] = []
  #inflight: Batch | null = null
  #timer: NodeJS.Timeout | null = null
  #loop: Promise<void> | null = null
  #wake: (() => void) | null = null
  #unreachable = false
  #closing = false
  #closed: Promise<void> | null = null
  #dropped: number[] = LEVELS.map(() => 0)
  /** flush() callers waiting for either the drain or the news that the receiver is away. */
  #awayWaiters: Array<() => void> = []
  #sampling: Sampling
  #stats = { sent: 0, batches: 0, rejected: 0, retries: 0, spooled: 0, replayed: 0, dropped: 0 }

  constructor (options: Resolved, reporter = new Reporter(options.onWarning)) {
    this.#options = options
    this.reporter = reporter
    this.#sender = new Sender(options, (offsetMs) => {
      const seconds = Math.round(Math.abs(offsetMs) / 1000)
      reporter.warn('clock-skew', `this machine's clock is ${seconds} s ${offsetMs > 0 ? 'behind' : 'ahead of'} the receiver's; requests are signed with the receiver's time (events keep their own)`)
    })
    this.#spool = options.spoolDir === false
      ? null
      : new Spool(options.spoolDir, `${options.endpoint}\n${options.key}`, options.spoolMaxBytes, reporter)
    this.#sampling = { minRank: levelRank(options.minLevel), rates: [1, 1, 1, 1, 1, 1] }
    if (options.remoteConfig) applyRemoteConfig(options, this.#sampling, reporter)
    // What a previous process left in the spool goes out first.
    if (this.#spool !== null && this.#spool.bytes > 0) this.#kick()
    if (this.#spool !== null) {
      if (openShippers.size === 0) process.on('exit', spillOnExit)
      openShippers.add(this)
    }
  }

  /**
   * For the process's 'exit' only: everything held, the batch in flight included, goes to the
   * spool with synchronous writes. A batch that did reach the receiver keeps its id, and the
   * receiver stores it once.
   */
  spillOnExit (): void {
    this.#spillAll(true)
    this.#forget()
  }

  #forget (): void {
    openShippers.delete(this)
    if (openShippers.size === 0) process.off('exit', spillOnExit)
  }

  push (event: TeknoEvent): void {
    const rank = levelRank(event.level)
    const sampling = this.#sampling
    if (rank < sampling.minRank) return
    // Sampling never touches warn and above: those are the lines people come looking for.
    const rate = sampling.rates[rank] ?? 1
    if (rate < 1 && rank < SAMPLED_BELOW_RANK && this.#options.random() >= rate) return
    const encoded = encodeEvent(event, this.#options.maxEventBytes)
    if (this.#closed !== null) {
      this.#toSpool(newBatch([encoded]))
      return
    }
    const current = this.#current
    if (current.events.length > 0 && current.bytes + encoded.bytes + 1 > this.#options.batchMaxBytes) this.#seal()
    this.#current.events.push(encoded)
    this.#current.bytes += encoded.bytes + 1
    this.#bufferedBytes += encoded.bytes + 1
    if (this.#current.events.length >= this.#options.batchMaxEvents) {
      this.#seal()
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#seal(), this.#options.flushIntervalMs)
      this.#timer.unref()
    }
    if (this.#bufferedBytes > this.#options.maxBufferBytes) this.#relieve()
  }

  /**
   * Resolves once everything pushed so far is committed by the receiver or safe in the spool.
   * While the receiver is away there is no point waiting for it: memory goes to the spool.
   */
  async flush (): Promise<void> {
    this.#seal()
    if (!this.#unreachable && this.#loop !== null) {
      let wake = (): void => {}
      const away = new Promise<boolean>((resolve) => { wake = () => resolve(true) })
      this.#awayWaiters.push(wake)
      const timedOut = await Promise.race([this.#loop.then(() => false), away, deadline(this.#options.closeTimeoutMs).then(() => true)])
      this.#awayWaiters = this.#awayWaiters.filter((w) => w !== wake)
      if (!timedOut) return
    }
    if (this.#unreachable) this.#spillAll(false)
  }

  close (): Promise<void> {
    this.#closed ??= this.#close()
    return this.#closed
  }

  stats (): ShipperStats {
    return {
      ...this.#stats,
      bufferedBytes: this.#bufferedBytes,
      spoolBytes: this.#spool?.bytes ?? 0,
      unreachable: this.#unreachable,
      warnings: this.reporter.counts()
    }
  }

  async #close (): Promise<void> {
    this.#closing = true
    this.#seal()
    // A receiver that was away gets one immediate try instead of waiting out the backoff.
    this.#wake?.()
    if (this.#loop !== null) {
      await Promise.race([this.#loop, deadline(this.#options.closeTimeoutMs)])
      this.#sender.abortAll()
      this.#wake?.()
      await this.#loop
    }
    this.#spillAll(true)
    this.#spool?.close()
    this.#forget()
  }

  #seal (): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    if (this.#current.events.length === 0) return
    this.#queue.push(this.#current)
    this.#current = newBatch()
    this.#kick()
  }

  #kick (): void {
    if (this.#loop !== null) return
    this.#loop = this.#run().finally(() => { this.#loop = null })
  }

  #next (): Batch | undefined {
    if (this.#inflight !== null) return this.#inflight
    const replayed = this.#replay.shift()
    if (replayed !== undefined) return replayed
    if (this.#spool !== null && this.#spool.bytes > 0) {
      // A quarter of the memory cap at a time: a spool left by a long outage is never read whole.
      this.#replay = this.#spool.take(Math.max(1, Math.floor(this.#options.maxBufferBytes / 4)))
      for (const batch of this.#replay) this.#stats.replayed += batch.events.length
      const first = this.#replay.shift()
      if (first !== undefined) return first
    }
    const queued = this.#queue.shift()
    if (queued !== undefined) this.#bufferedBytes -= queued.bytes
    return queued
  }

  async #run (): Promise<void> {
    for (let batch = this.#next(); batch !== undefined; batch = this.#next()) {
      this.#inflight = batch
      const outcome = await this.#sender.post(encodeBatch(batch))
      if (outcome.kind === 'retry' && outcome.eventLimit !== undefined && batch.events.length > outcome.eventLimit) {
        // More events than the project may send in a minute: refused whole however long it
        // waits, and everything behind it with it. Split to fit; the pieces queue as usual.
        this.#inflight = null
        const size = outcome.eventLimit
        const pieces: Batch[] = []
        for (let i = 0; i < batch.events.length; i += size) pieces.push(newBatch(batch.events.slice(i, i + size)))
        this.#replay.unshift(...pieces)
        continue
      }
      if (outcome.kind === 'retry') {
        batch.attempts++
        this.#stats.retries++
        this.#unreachable = true
        for (const wake of this.#awayWaiters.splice(0)) wake()
        // A 429 is an answer, not an absence: the logs wait all the same, but saying the receiver
        // is unavailable would send an operator looking for an outage.
        if (outcome.status === 429) this.reporter.warn('rate-limited', `the receiver is rate-limiting these logs, keeping them until it takes them (${outcome.message})`)
        else this.reporter.warn('unreachable', `receiver unavailable, keeping logs until it answers (${outcome.message})`)
        if (this.#closing) return
        const jitter = this.#options.random() * Math.min(1000, (outcome.retryAfterMs ?? 0) / 10)
        const backoff = backoffDelay(batch.attempts - 1, this.#options.backoffBaseMs, this.#options.backoffMaxMs, this.#options.random)
        await this.#pause(outcome.retryAfterMs === undefined ? backoff : outcome.retryAfterMs + jitter)
        continue
      }
      this.#inflight = null
      if (outcome.kind === 'ok') {
        this.#stats.sent += batch.events.length
        this.#stats.batches++
        if (this.#unreachable) {
          this.#unreachable = false
          this.reporter.reset('unreachable')
          this.reporter.reset('rate-limited')
        }
        this.#sendDroppedNotice()
      } else if (outcome.status === 413 && batch.events.length > 1) {
        // Our limits keep batches under the receiver's; if a receiver is stricter, halve and go on.
        const half = Math.ceil(batch.events.length / 2)
        this.#replay.unshift(newBatch(batch.events.slice(0, half)), newBatch(batch.events.slice(half)))
      } else {
        this.#stats.rejected += batch.events.length
        this.reporter.warn(`rejected-${outcome.status}-${outcome.code}`, `the receiver refused ${batch.events.length} events (${outcome.status} ${outcome.code}): ${outcome.message}`)
      }
      if (this.#queue.length === 0 && this.#replay.length === 0 && this.#closing) this.#seal()
    }
  }

  #pause (ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => { this.#wake = null; resolve() }
      this.#options.sleep(ms).then(() => this.#wake?.(), () => this.#wake?.())
    })
  }

  /** Memory is over its cap: the oldest batches move to disk, and only if disk is full are events dropped. */
  #relieve (): void {
    while (this.#bufferedBytes > this.#options.maxBufferBytes) {
      const oldest = this.#queue[0]
      if (oldest === undefined || this.#spool === null || !this.#spool.append(oldest)) break
      this.#queue.shift()
      this.#bufferedBytes -= oldest.bytes
      this.#stats.spooled += oldest.events.length
    }
    if (this.#bufferedBytes <= this.#options.maxBufferBytes) return
    // Shed down to 90% so the next few events do not each pay for another pass.
    const excess = this.#bufferedBytes - Math.floor(this.#options.maxBufferBytes * 0.9)
    const dropped = shed([...this.#queue, this.#current], excess)
    this.#queue = this.#queue.filter((batch) => batch.events.length > 0)
    this.#bufferedBytes = this.#queue.reduce((sum, batch) => sum + batch.bytes, this.#current.bytes)
    this.#countDropped(dropped)
  }

  #spillAll (includeInflight: boolean): void {
    this.#seal()
    const batches = [...(includeInflight && this.#inflight !== null ? [this.#inflight] : []), ...this.#replay, ...this.#queue]
    if (includeInflight) this.#inflight = null
    this.#replay = []
    this.#queue = []
    this.#bufferedBytes = 0
    for (const batch of batches) this.#toSpool(batch)
  }

  /** A batch that can only go to disk now; failing that it is counted, never silently lost. */
  #toSpool (batch: Batch): void {
    if (this.#spool !== null && this.#spool.append(batch)) {
      this.#stats.spooled += batch.events.length
      return
    }
    const dropped = LEVELS.map(() => 0)
    for (const event of batch.events) dropped[event.rank]!++
    this.#countDropped(dropped)
  }

  #countDropped (dropped: number[]): void {
    const total = dropped.reduce((sum, n) => sum + n, 0)
    if (total === 0) return
    dropped.forEach((n, rank) => { this.#dropped[rank]! += n })
    this.#stats.dropped += total
    this.reporter.warn('dropped', `buffer (${this.#options.maxBufferBytes} bytes) and spool are full; dropping the lowest levels first (${total} events so far in this burst)`)
  }

  #sendDroppedNotice (): void {
    const notice = droppedNotice(this.#dropped, this.#options.now())
    if (notice === null) return
    this.#dropped = LEVELS.map(() => 0)
    this.reporter.reset('dropped')
    this.push(notice)
  }
}

import type { TeknoEvent } from './event.js'
import { Failover, type PrimaryResult, type State } from './failover.js'
import type { Resolved } from './options.js'
import { watchPrimaryHttp } from './primary-watch.js'
import { Ring } from './ring.js'
import type { Shipper } from './shipper.js'

export interface OverflowOptions<T> {
  options: Resolved
  shipper: Shipper
  toEvent: (item: T) => TeknoEvent
  /** Hands one item to the primary, unchanged. */
  sink: (item: T) => void
  /** Origins the primary talks to, when they can be read from its options. */
  origins: string[] | undefined
  /** Without known origins, in-process transports must not mistake the app's own HTTP for the primary's. */
  watchAllOrigins: boolean
  /**
   * Reads a failure the primary keeps to itself (winston's File only logs its file stream's errors
   * under DEBUG): null while it is healthy, else why it is not.
   */
  failure?: () => string | null
}

/** How often answered() looks whether the primary's requests have all been answered. */
const ANSWER_POLL_MS = 5

/**
 * Overflow mode: items go to the primary while it is healthy and to the receiver while it is
 * not. What the primary may have lost (unconfirmed items in the ring) follows to the receiver
 * on every failure, so a line is always in at least one of the two places.
 */
export class Overflow<T> {
  #o: OverflowOptions<T>
  #ring: Ring<T>
  #failover: Failover
  #unwatch: () => void
  #switches = 0
  #requestIds = 0
  #lastTag = 0
  #inflight = new Map<number, { floor: number, tag: number }>()
  /** The newest item a successful request may have carried. */
  #succeeded = 0
  /** Set by any failure the primary showed, or a trip: its end is then no proof of anything. */
  #failed = false

  constructor (o: OverflowOptions<T>) {
    this.#o = o
    this.#ring = new Ring<T>(o.options.failover.ringSize)
    const reporter = o.shipper.reporter
    this.#failover = new Failover(o.options.failover, o.options.now, o.options.random, (state: State, reason: string) => {
      this.#switches++
      // Each switch is news once; the next switch of the same kind is news again.
      for (const kind of ['switch-diverted', 'switch-probing', 'switch-primary']) reporter.reset(kind)
      const text = state === 'diverted' ? `primary unavailable, logs go to the receiver: ${reason}` : state === 'probing' ? `probing the primary again (${reason})` : `primary recovered, logs go to it again (${reason})`
      reporter.warn(`switch-${state}`, text)
    })
    const origins = o.origins ?? (o.watchAllOrigins ? undefined : [])
    this.#unwatch = origins !== undefined && origins.length === 0
      ? () => {}
      : watchPrimaryHttp({
        origins,
        receiverOrigin: new URL(o.options.endpoint).origin,
        now: o.options.now,
        onStart: () => this.#started(),
        onResult: (result, id) => this.#answered(result, id)
      })
  }

  get state (): State { return this.#failover.state }
  get switches (): number { return this.#switches }
  /** Primary requests started and not answered yet. */
  get inflight (): number { return this.#inflight.size }

  /**
   * Resolves once every primary request started so far is answered, or after `ms`. Closing waits
   * for it: a success confirms the lines it carried, which close() would otherwise send to the
   * receiver as well (winston's Http, a request a line, had 1 839 of 2 000 lines in flight when a
   * burst ended; pino-loki without batching, 2 000 of 2 000 replayed though it delivered 1 165).
   */
  async answered (ms: number): Promise<void> {
    const deadline = performance.now() + ms
    while (this.#inflight.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, ANSWER_POLL_MS))
    }
  }

  write (item: T): void {
    const route = this.#failover.route()
    if (route === 'receiver' || this.failed()) {
      this.#o.shipper.push(this.#o.toEvent(item))
      return
    }
    if (route === 'both') {
      // While probing the receiver gets a copy, so a probe that fails loses nothing.
      this.#o.shipper.push(this.#o.toEvent(item))
      this.#ring.confirm(this.#ring.push(item))
    } else {
      this.#ring.push(item)
    }
    try {
      this.#o.sink(item)
    } catch (err) {
      this.result({ ok: false, message: (err as Error).message }, undefined)
    }
  }

  /**
   * A primary request starts: it can carry items after the previous request's last one and up
   * to the newest. Requests overlap when the primary does not wait for one push before the next.
   */
  #started (): number {
    const id = ++this.#requestIds
    this.#inflight.set(id, { floor: this.#lastTag, tag: this.#ring.lastSeq })
    this.#lastTag = this.#ring.lastSeq
    return id
  }

  #answered (result: PrimaryResult, id: number | undefined): void {
    const request = id === undefined ? undefined : this.#inflight.get(id)
    if (id !== undefined) this.#inflight.delete(id)
    if (request === undefined) return this.result(result, undefined)
    if (!result.ok) return this.result(result, request.tag)
    // A success must not confirm items an earlier request still in flight may carry: if that one
    // fails later, its items are still in the ring to replay. Once it is answered, the items of
    // the later requests that succeeded meanwhile are confirmed with it: everything up to the
    // newest success that no request in flight may carry was carried by a request that succeeded,
    // or by one that failed and was replayed. (Confirming only up to the last request answered
    // left 1 471 of 2 000 lines to be replayed at close after winston's Http, a request a line,
    // had delivered all of them.)
    this.#succeeded = Math.max(this.#succeeded, request.tag)
    let tag = this.#succeeded
    for (const other of this.#inflight.values()) tag = Math.min(tag, other.floor)
    this.result(result, tag)
  }

  /** One observed answer of the primary; `tag` is the last item it could have carried. */
  result (result: PrimaryResult, tag: number | undefined): void {
    if (!result.ok) this.#failed = true
    if (result.ok) {
      if (tag !== undefined) this.#ring.confirm(tag)
    } else {
      this.#replay(tag)
    }
    if (this.#failover.record(result)) this.#replay(undefined)
  }

  /**
   * True when the primary can be seen to have failed on its own (`failure`). The first time it is
   * seen in each spell of sending to it, the primary is tripped: a broken file stream stays broken,
   * so one sighting is enough, and the lines it was handed go to the receiver.
   */
  failed (): boolean {
    const why = this.#o.failure?.() ?? null
    if (why === null) return false
    if (this.#failover.route() !== 'receiver') this.trip(why)
    return true
  }

  trip (reason = 'tripped by the app', forMs?: number): void {
    this.#failed = true
    this.#failover.trip(reason, forMs)
    this.#replay(undefined)
  }

  /**
   * Called once the primary was given its chance to flush. Whatever no primary success has
   * confirmed by now (a final push still in flight, or one that never started because the
   * primary ran out of time) goes to the receiver: a duplicate is better than a gap.
   *
   * `endedLocally`: the primary writes to a file or the console and its own end completed, in
   * time. If it also never failed and sent no HTTP request, everything it took is written: its
   * end is the confirmation its requests would otherwise give, and replaying its last ringSize
   * lines would only put them in the receiver a second time at every shutdown.
   */
  close (endedLocally = false): void {
    if (endedLocally && !this.#failed && this.#requestIds === 0) this.#ring.confirm(this.#ring.lastSeq)
    this.#replay(undefined)
    this.#unwatch()
  }

  #replay (upTo: number | undefined): void {
    for (const item of this.#ring.take(upTo)) this.#o.shipper.push(this.#o.toEvent(item))
  }
}

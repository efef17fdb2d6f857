/**
 * The last lines handed to the primary, each with a sequence number. A line is confirmed once a
 * request the primary started after it succeeded; everything unconfirmed may be lost with the
 * primary, so it is what a trip replays. The size bound means a primary that never reports
 * success costs at most `capacity` lines of memory.
 *
 * A fixed circular array: line `seq` lives in slot `seq % capacity`, so a push allocates nothing
 * (no wrapper object per line, no copies to compact an array) and a confirmed line can be
 * collected at once rather than when the ring comes round.
 */
export class Ring<T> {
  #slots: Array<T | undefined>
  #capacity: number
  #lastSeq = 0
  #confirmed = 0

  constructor (capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity))
    this.#slots = new Array<T | undefined>(this.#capacity).fill(undefined)
  }

  get lastSeq (): number { return this.#lastSeq }

  push (item: T): number {
    const seq = ++this.#lastSeq
    this.#slots[seq % this.#capacity] = item
    return seq
  }

  /** The oldest line still held: older ones were overwritten. */
  get #oldest (): number { return Math.max(1, this.#lastSeq - this.#capacity + 1) }

  confirm (seq: number): void {
    const upTo = Math.min(seq, this.#lastSeq)
    if (upTo <= this.#confirmed) return
    // Empty the confirmed slots so the lines can be collected; each slot is emptied once.
    for (let s = Math.max(this.#confirmed + 1, this.#oldest); s <= upTo; s++) this.#slots[s % this.#capacity] = undefined
    this.#confirmed = upTo
  }

  /** Unconfirmed lines up to `seq`, oldest first; they count as confirmed from now on. */
  take (seq = this.#lastSeq): T[] {
    const upTo = Math.min(seq, this.#lastSeq)
    const out: T[] = []
    for (let s = Math.max(this.#confirmed + 1, this.#oldest); s <= upTo; s++) out.push(this.#slots[s % this.#capacity] as T)
    this.confirm(upTo)
    return out
  }
}

/**
 * The last lines handed to the primary, each with a sequence number. A line is confirmed once a
 * request the primary started after it succeeded; everything unconfirmed may be lost with the
 * primary, so it is what a trip replays. The size bound means a primary that never reports
 * success costs at most `capacity` lines of memory.
 */
export class Ring<T> {
  #items: Array<{ seq: number, item: T }> = []
  #start = 0
  #capacity: number
  #lastSeq = 0
  #confirmed = 0

  constructor (capacity: number) {
    this.#capacity = capacity
  }

  get lastSeq (): number { return this.#lastSeq }

  push (item: T): number {
    this.#items.push({ seq: ++this.#lastSeq, item })
    if (this.#items.length - this.#start > this.#capacity) this.#start++
    // Compacting in steps keeps push O(1) amortised instead of shifting on every line.
    if (this.#start > 1024 && this.#start * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#start)
      this.#start = 0
    }
    return this.#lastSeq
  }

  confirm (seq: number): void {
    if (seq > this.#confirmed) this.#confirmed = Math.min(seq, this.#lastSeq)
  }

  /** Unconfirmed lines up to `seq`, oldest first; they count as confirmed from now on. */
  take (seq = this.#lastSeq): T[] {
    const out: T[] = []
    for (let i = this.#start; i < this.#items.length; i++) {
      const entry = this.#items[i]!
      if (entry.seq > seq) break
      if (entry.seq > this.#confirmed) out.push(entry.item)
    }
    this.confirm(seq)
    return out
  }
}

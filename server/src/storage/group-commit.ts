/**
 * Group commit: while a transaction is being written, batches that arrive queue up here; when it
 * ends they go to the database together and commit as one transaction (each batch still succeeds
 * or fails on its own). Both adapters use it.
 *
 * Why: most of a commit's cost is shared, not per row. On SQLite (one writer) the index pages
 * every batch touches are written to the WAL once per commit, and every hand-off to the writer
 * thread has a fixed price. On both databases a group's rollup rows are added up and written once:
 * a service's batches repeat their fingerprints. With one client nothing waits, so a lone batch
 * goes straight through as before.
 */

export interface GroupItem<T> {
  item: T
  /** Events in the item: bounds how much one transaction carries. */
  size: number
}

const IN_FLIGHT = 2

interface Waiting<T, R> { entry: GroupItem<T>, resolve: (r: R) => void, reject: (e: Error) => void }

export type ItemOutcome<R> = { ok: true, value: R } | { ok: false, error: Error }

export class GroupCommit<T, R> {
  #send: (items: T[]) => Promise<Array<ItemOutcome<R>>>
  #maxSize: number
  #queue: Array<Waiting<T, R>> = []
  #inFlight = 0

  /**
   * `send` writes a group in one transaction and reports each item's outcome in order;
   * `maxSize` caps the events per group, so a backlog drains as several transactions rather
   * than one that holds the write lock for long.
   */
  constructor (send: (items: T[]) => Promise<Array<ItemOutcome<R>>>, maxSize: number) {
    this.#send = send
    this.#maxSize = maxSize
  }

  submit (entry: GroupItem<T>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject })
      this.#pump()
    })
  }

  /** Items waiting for a group to be sent (for metrics and tests). */
  get waiting (): number {
    return this.#queue.length
  }

  /**
   * Two groups in flight, not one: the database (SQLite's writer thread, or a second MySQL
   * connection) then has the next group when it commits one, instead of idling while this thread
   * (busy parsing a request) gets round to sending it. More would only make groups smaller.
   */
  #pump (): void {
    while (this.#inFlight < IN_FLIGHT && this.#queue.length > 0) {
      const group = this.#take()
      this.#inFlight++
      void this.#write(group).finally(() => {
        this.#inFlight--
        this.#pump()
      })
    }
  }

  async #write (group: Array<Waiting<T, R>>): Promise<void> {
    let outcomes: Array<ItemOutcome<R>>
    try {
      outcomes = await this.#send(group.map((g) => g.entry.item))
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      outcomes = group.map(() => ({ ok: false, error }))
    }
    group.forEach((g, i) => {
      const outcome = outcomes[i]
      if (outcome === undefined) g.reject(new Error('group commit: no outcome for an item'))
      else if (outcome.ok) g.resolve(outcome.value)
      else g.reject(outcome.error)
    })
  }

  /** The oldest items, up to maxSize events; always at least one, however large. */
  #take (): Array<Waiting<T, R>> {
    let size = 0
    let n = 0
    while (n < this.#queue.length) {
      const next = this.#queue[n] as Waiting<T, R>
      if (n > 0 && size + next.entry.size > this.#maxSize) break
      size += next.entry.size
      n++
    }
    return this.#queue.splice(0, n)
  }
}

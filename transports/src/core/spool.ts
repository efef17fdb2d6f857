import { createHash } from 'node:crypto'
import { readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import SonicBoom from 'sonic-boom'
import { byCreation, decodeBatch, encodeBatch, type Batch } from './batch.js'
import type { Reporter } from './reporter.js'

/**
 * Batches that could not be delivered, one JSON line each, in the order they were taken from
 * memory. Writes are synchronous: the spool is only used when the receiver is away, and a
 * process killed right after must still find the line on disk at the next start.
 */
export class Spool {
  #file: string
  #maxBytes: number
  #size = 0
  #boom: SonicBoom | null = null
  #reporter: Reporter

  constructor (dir: string, identity: string, maxBytes: number, reporter: Reporter) {
    // One file per receiver and key, so two projects on one machine never replay each other's logs.
    const name = createHash('sha256').update(identity).digest('hex').slice(0, 16)
    this.#file = join(dir, `${name}.ndjson`)
    this.#maxBytes = maxBytes
    this.#reporter = reporter
    try {
      this.#size = statSync(this.#file).size
    } catch {
      this.#size = 0
    }
  }

  get file (): string { return this.#file }
  get bytes (): number { return this.#size }

  append (batch: Batch): boolean {
    const line = encodeBatch(batch, true) + '\n'
    const bytes = Buffer.byteLength(line)
    if (this.#size + bytes > this.#maxBytes) return false
    try {
      this.#boom ??= new SonicBoom({ dest: this.#file, mkdir: true, append: true, sync: true })
      this.#boom.write(line)
    } catch (err) {
      this.#reporter.warn('spool-write', `cannot write the spool ${this.#file}: ${(err as Error).message}`)
      return false
    }
    this.#size += bytes
    return true
  }

  /**
   * Moves the file aside before reading so a second process sharing the spool cannot replay
   * the same batches; the batch ids would make that harmless, but not free.
   */
  take (): Batch[] {
    if (this.#size === 0) return []
    this.#closeBoom()
    const replay = `${this.#file}.${process.pid}.${Date.now()}.replay`
    let text: string
    try {
      renameSync(this.#file, replay)
      text = readFileSync(replay, 'utf8')
      unlinkSync(replay)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#reporter.warn('spool-read', `cannot read the spool ${this.#file}: ${(err as Error).message}`)
      this.#size = 0
      return []
    }
    this.#size = 0
    const batches: Batch[] = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        batches.push(decodeBatch(line))
      } catch {
        // A process killed mid-write leaves a torn last line; the rest is still good.
        this.#reporter.warn('spool-corrupt', `skipped an unreadable line in the spool ${this.#file}`)
      }
    }
    return batches.sort(byCreation)
  }

  close (): void {
    this.#closeBoom()
  }

  #closeBoom (): void {
    if (this.#boom === null) return
    const boom = this.#boom
    this.#boom = null
    // sync mode wrote every line already; only the descriptor is left to release
    boom.destroy()
  }
}

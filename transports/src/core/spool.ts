import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { basename, join } from 'node:path'
import SonicBoom from 'sonic-boom'
import { byCreation, decodeBatch, encodeBatch, type Batch } from './batch.js'
import type { Reporter } from './reporter.js'

/** Spool files of this process that a live transport still writes to. */
const active = new Set<string>()
let instances = 0

function alive (pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Batches that could not be delivered, one JSON line each. Writes are synchronous: the spool is
 * only used while the receiver is away, and a process killed right after must still find the
 * line on disk at the next start.
 * Each writer has a file of its own (`<identity>-<pid>-<n>.ndjson`): several processes of one app
 * share a spool directory, and a file taken for replay while another process still held it open
 * would swallow that process's later writes. Files whose writer is gone (a dead pid, or a closed
 * transport of this process) are claimed by the next transport with the same receiver and key.
 */
export class Spool {
  #dir: string
  #prefix: string
  #file: string
  #maxBytes: number
  #size = 0
  #orphanBytes = 0
  #boom: SonicBoom | null = null
  #reporter: Reporter

  constructor (dir: string, identity: string, maxBytes: number, reporter: Reporter) {
    // The identity is receiver and key, so two projects on one machine never replay each other's logs.
    this.#prefix = createHash('sha256').update(identity).digest('hex').slice(0, 16)
    this.#dir = dir
    this.#file = join(dir, `${this.#prefix}-${process.pid}-${++instances}.ndjson`)
    this.#maxBytes = maxBytes
    this.#reporter = reporter
    active.add(this.#file)
    for (const file of this.#orphans()) this.#orphanBytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0
  }

  get file (): string { return this.#file }
  /** Bytes waiting for replay: this writer's own and, until taken, those left by gone writers. */
  get bytes (): number { return this.#size + this.#orphanBytes }

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

  /** Everything waiting, own and orphaned, in the order the batches were created. */
  take (): Batch[] {
    const files = this.#orphans()
    this.#orphanBytes = 0
    if (this.#size > 0) {
      this.#closeBoom()
      files.push(this.#file)
      this.#size = 0
    }
    const batches: Batch[] = []
    for (const file of files) batches.push(...this.#read(file))
    return batches.sort(byCreation)
  }

  close (): void {
    this.#closeBoom()
    active.delete(this.#file)
  }

  #orphans (): string[] {
    let names: string[]
    try {
      names = readdirSync(this.#dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#reporter.warn('spool-read', `cannot list the spool directory ${this.#dir}: ${(err as Error).message}`)
      return []
    }
    return names
      .filter((name) => name.startsWith(this.#prefix + '-') && name.endsWith('.ndjson'))
      .map((name) => join(this.#dir, name))
      .filter((file) => {
        if (active.has(file)) return false
        const pid = Number(basename(file).split('-')[1])
        return pid === process.pid || !alive(pid)
      })
  }

  /** Renaming first means two claimants of one orphan cannot both replay it: only one rename wins. */
  #read (file: string): Batch[] {
    const claimed = `${file}.${process.pid}.${Date.now()}.replay`
    let text: string
    try {
      renameSync(file, claimed)
      text = readFileSync(claimed, 'utf8')
      unlinkSync(claimed)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#reporter.warn('spool-read', `cannot read the spool ${file}: ${(err as Error).message}`)
      return []
    }
    const batches: Batch[] = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        batches.push(decodeBatch(line))
      } catch {
        // A process killed mid-write leaves a torn last line; the rest is still good.
        this.#reporter.warn('spool-corrupt', `skipped an unreadable line in the spool ${file}`)
      }
    }
    return batches
  }

  #closeBoom (): void {
    if (this.#boom === null) return
    const boom = this.#boom
    this.#boom = null
    // sync mode wrote every line already; only the descriptor is left to release
    boom.destroy()
  }
}

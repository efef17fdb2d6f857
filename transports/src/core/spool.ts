import { createHash } from 'node:crypto'
import { closeSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { basename, join } from 'node:path'
import SonicBoom from 'sonic-boom'
import { byCreation, decodeBatch, encodeBatch, type Batch } from './batch.js'
import type { Reporter } from './reporter.js'

/** Spool files of this process that a live transport still writes to, or is still reading back. */
const active = new Set<string>()
let instances = 0
let claims = 0
/** Below this a read is not worth a system call; a single line longer than the budget is read whole. */
const MIN_READ_BYTES = 64 * 1024
/** `<identity>-<pid>-<n>.ndjson.<claimer pid>.<time>.<n>.replay`: claimed for replay, maybe half sent. */
const REPLAY = /\.ndjson\.(\d+)\.\d+\.\d+\.replay$/

interface Claimed {
  path: string
  offset: number
  size: number
}

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
 * A claimed file is read back a budget at a time (take), so a spool of many megabytes never sits
 * in memory whole; it is deleted once read to the end. One whose reader went away half-way is
 * claimed again from its start: the batches keep their ids, so the receiver stores them once.
 */
export class Spool {
  #dir: string
  #prefix: string
  #file: string
  #maxBytes: number
  #size = 0
  #orphanBytes = 0
  #claimed: Claimed[] = []
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
  /** Bytes waiting for replay: this writer's own, those left by gone writers, the unread rest of claimed files. */
  get bytes (): number {
    let unread = 0
    for (const c of this.#claimed) unread += c.size - c.offset
    return this.#size + this.#orphanBytes + unread
  }

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
   * The next batches waiting, about `maxBytes` of them (at least one line), own and orphaned;
   * in the order they were created within what one call returns. Call again while `bytes` > 0.
   */
  take (maxBytes = Infinity): Batch[] {
    if (this.#claimed.length === 0) this.#claimAll()
    const batches: Batch[] = []
    let budget = maxBytes
    // Another read only while the budget left is worth one: a take overshoots only a budget under MIN_READ_BYTES.
    while (this.#claimed.length > 0 && (batches.length === 0 || budget >= MIN_READ_BYTES)) budget -= this.#readChunk(this.#claimed[0]!, budget, batches)
    return batches.sort(byCreation)
  }

  close (): void {
    this.#closeBoom()
    active.delete(this.#file)
    // What is left unread stays on disk for the next transport with this receiver and key.
    for (const c of this.#claimed) active.delete(c.path)
    this.#claimed = []
  }

  /** Renaming first means two claimants of one file cannot both replay it: only one rename wins. */
  #claimAll (): void {
    const files = this.#orphans()
    this.#orphanBytes = 0
    if (this.#size > 0) {
      this.#closeBoom()
      files.push(this.#file)
      this.#size = 0
    }
    for (const file of files) {
      const base = file.replace(/\.ndjson(\..*)?$/, '.ndjson')
      const claimed = `${base}.${process.pid}.${Date.now()}.${++claims}.replay`
      try {
        renameSync(file, claimed)
        this.#claimed.push({ path: claimed, offset: 0, size: statSync(claimed).size })
        active.add(claimed)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#reporter.warn('spool-read', `cannot read the spool ${file}: ${(err as Error).message}`)
      }
    }
  }

  /** Reads whole lines from a claimed file, at most `budget` bytes unless one line is longer; returns the bytes read. */
  #readChunk (claimed: Claimed, budget: number, into: Batch[]): number {
    let text = ''
    try {
      const fd = openSync(claimed.path, 'r')
      try {
        let want = Math.max(MIN_READ_BYTES, Math.min(budget, claimed.size - claimed.offset))
        for (;;) {
          const buffer = Buffer.allocUnsafe(want)
          const n = readSync(fd, buffer, 0, want, claimed.offset)
          // '\n' is never part of a multi-byte UTF-8 character: cutting after one is always safe.
          const end = n === 0 || claimed.offset + n >= claimed.size ? n : buffer.lastIndexOf(10, n - 1) + 1
          if (end === 0 && n === want) { want *= 2; continue }
          text = buffer.toString('utf8', 0, end)
          claimed.offset = end === 0 ? claimed.size : claimed.offset + end
          break
        }
      } finally {
        closeSync(fd)
      }
    } catch (err) {
      this.#reporter.warn('spool-read', `cannot read the spool ${claimed.path}: ${(err as Error).message}`)
      claimed.offset = claimed.size
    }
    if (claimed.offset >= claimed.size) {
      this.#claimed.shift()
      active.delete(claimed.path)
      try {
        unlinkSync(claimed.path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#reporter.warn('spool-read', `cannot remove the replayed spool ${claimed.path}: ${(err as Error).message}`)
      }
    }
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        into.push(decodeBatch(line))
      } catch {
        // A process killed mid-write leaves a torn last line; the rest is still good.
        this.#reporter.warn('spool-corrupt', `skipped an unreadable line in the spool ${claimed.path}`)
      }
    }
    return Math.max(1, Buffer.byteLength(text))
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
      .filter((name) => name.startsWith(this.#prefix + '-') && (name.endsWith('.ndjson') || REPLAY.test(name)))
      .map((name) => join(this.#dir, name))
      .filter((file) => {
        if (active.has(file)) return false
        const name = basename(file)
        // The owner is the writer of a spool file, the reader of one claimed for replay.
        const pid = Number(REPLAY.exec(name)?.[1] ?? name.split('-')[1])
        return pid === process.pid || !alive(pid)
      })
  }

  #closeBoom (): void {
    if (this.#boom === null) return
    const boom = this.#boom
    this.#boom = null
    // sync mode wrote every line already; only the descriptor is left to release
    boom.destroy()
  }
}

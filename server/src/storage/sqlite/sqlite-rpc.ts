import { Worker } from 'node:worker_threads'
import { StorageUnavailableError } from '../../errors.js'
import type { Migration } from '../migrations.js'
import type { SqlValue } from '../sql-runner.js'
import type { InsertCall, InsertResult } from '../store.js'
import { DEFAULT_CHECKPOINTS, type CheckpointSettings } from './wal-checkpoint.js'

export type ThreadRequest = { id: number } & (
  | { op: 'all' | 'run', sql: string, params: SqlValue[] }
  | { op: 'insertBatches', batches: InsertCall[] }
  | { op: 'migrate', migrations: Migration[] }
  | { op: 'close' }
)

/** What became of one batch of an insertBatches group. */
export type BatchOutcome = { ok: true, value: InsertResult } | { ok: false, message: string, code: string | null }

export type ThreadResponse =
  | { id: number, ok: true, value: unknown }
  | { id: number, ok: false, message: string, code: string | null }

/** A failure as it crosses the thread boundary: the message and SQLite's error code. */
export interface ThreadFailure { message: string, code: string | null }

/** What the writer thread sends for an error it caught. */
export function toFailure (err: unknown): ThreadFailure {
  const e = err as { message?: string, code?: string }
  return { message: e.message ?? String(err), code: e.code ?? null }
}

/** The main-thread error for a failure the thread reported. */
export function threadError (f: ThreadFailure): StorageUnavailableError {
  return new StorageUnavailableError(Object.assign(new Error(f.message), { code: f.code }))
}

type Call = ThreadRequest extends infer R ? R extends unknown ? Omit<R, 'id'> : never : never

/** The main-thread end of one SQLite connection thread: requests in order, answers by id. */
export class SqliteThread {
  #worker: Worker
  #nextId = 1
  #pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: unknown) => void }>()
  #dead: Error | null = null

  /** `restartWanted` is one Int32 shared by a store's writer and checkpointer (wal-checkpoint.ts). */
  constructor (path: string, role: 'writer' | 'reader' | 'checkpointer', restartWanted: Int32Array, checkpoints: CheckpointSettings = DEFAULT_CHECKPOINTS) {
    // A clean execArgv: the host's loaders and flags (--input-type, test hooks) mean nothing to
    // this thread and would only slow its start.
    this.#worker = new Worker(new URL('./sqlite-thread.js', import.meta.url), { workerData: { path, role, checkpoints, restartWanted }, execArgv: [] })
    // An idle thread must not keep alive a process that forgot to close its store; a thread
    // with calls in flight must, or a script awaiting one would exit before the answer.
    this.#worker.unref()
    this.#worker.on('message', (res: ThreadResponse) => {
      const call = this.#pending.get(res.id)
      if (call === undefined) return
      this.#pending.delete(res.id)
      if (this.#pending.size === 0) this.#worker.unref()
      if (res.ok) {
        call.resolve(res.value)
      } else {
        call.reject(threadError(res))
      }
    })
    const fail = (err: Error): void => {
      this.#dead = err
      for (const call of this.#pending.values()) call.reject(new StorageUnavailableError(err))
      this.#pending.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => { fail(new Error(`SQLite thread exited with code ${code}`)) })
  }

  /** Calls sent and not yet answered. */
  get waiting (): number {
    return this.#pending.size
  }

  call<T> (request: Call): Promise<T> {
    if (this.#dead !== null) return Promise.reject(new StorageUnavailableError(this.#dead))
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.#worker.postMessage({ ...request, id })
    })
  }

  async close (): Promise<void> {
    if (this.#dead !== null) return
    await this.call({ op: 'close' }).catch(() => undefined)
    await this.#worker.terminate()
  }
}

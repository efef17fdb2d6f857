import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'
import { parseRetryAfter } from './backoff.js'
import type { Resolved } from './options.js'
import { sign } from './signer.js'

const gzip = promisify(gzipCallback)

export type Outcome =
  | { kind: 'ok', accepted: number }
  | {
    kind: 'retry'
    status?: number
    retryAfterMs?: number
    message: string
    /** A project limit refusal's `RateLimit-Limit`: the most events a batch can ever carry. */
    eventLimit?: number
  }
  | { kind: 'reject', status: number, code: string, message: string }

type SenderOptions = Pick<Resolved, 'endpoint' | 'key' | 'secret' | 'gzip' | 'timeoutMs' | 'fetch' | 'now'>

async function readError (response: Response): Promise<{ code: string, message: string, scope?: string }> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { code?: unknown, message?: unknown, scope?: unknown }
    return { code: String(body.code ?? `HTTP_${response.status}`), message: String(body.message ?? text), ...(typeof body.scope === 'string' ? { scope: body.scope } : {}) }
  } catch {
    return { code: `HTTP_${response.status}`, message: text.slice(0, 200) || response.statusText }
  }
}

/** The receiver's answer to a timestamp more than 300 s from its clock (docs/protocol.md). */
const STALE_TIMESTAMP = 'TEKNO_ERR_STALE_TIMESTAMP'

/** One signed POST; deciding when to try again belongs to the shipper. */
export class Sender {
  #options: SenderOptions
  #inflight = new Set<AbortController>()
  /** The receiver's clock minus this machine's, learned from a stale-timestamp answer. */
  #clockOffsetMs = 0
  #onClockSkew: (offsetMs: number) => void

  constructor (options: SenderOptions, onClockSkew: (offsetMs: number) => void = () => {}) {
    this.#options = options
    this.#onClockSkew = onClockSkew
  }

  /**
   * A machine whose clock is more than 300 s off the receiver's (a VM back from suspend, a
   * container without NTP) had every batch refused as stale, and dropped. The refusal carries the
   * receiver's Date: the signing clock is set by it once and the batch sent again. The events keep
   * the app's own times.
   */
  async post (json: string): Promise<Outcome> {
    const body = this.#options.gzip ? await gzip(json) : Buffer.from(json)
    const outcome = await this.#send(body)
    if (outcome.kind !== 'stale') return outcome
    const offsetMs = outcome.serverDate - this.#options.now()
    if (Number.isNaN(offsetMs) || Math.abs(offsetMs - this.#clockOffsetMs) < 1000) return outcome.refusal
    this.#clockOffsetMs = offsetMs
    this.#onClockSkew(offsetMs)
    const again = await this.#send(body)
    return again.kind === 'stale' ? again.refusal : again
  }

  async #send (body: Buffer): Promise<Outcome | { kind: 'stale', serverDate: number, refusal: Outcome }> {
    const options = this.#options
    const timestamp = Math.floor((options.now() + this.#clockOffsetMs) / 1000)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-tekno-key': options.key,
      'x-tekno-timestamp': String(timestamp),
      'x-tekno-signature': sign(options.secret, timestamp, body)
    }
    if (options.gzip) headers['content-encoding'] = 'gzip'
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs)
    this.#inflight.add(abort)
    try {
      const response = await options.fetch(options.endpoint, { method: 'POST', headers, body, signal: abort.signal })
      if (response.ok) {
        const answer = await response.json().catch(() => ({})) as { accepted?: unknown }
        return { kind: 'ok', accepted: Number(answer.accepted ?? 0) }
      }
      const error = await readError(response)
      const status = response.status
      if (status === 408 || status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.now())
        const eventLimit = status === 429 && error.scope === 'project' ? Number(response.headers.get('ratelimit-limit')) : Number.NaN
        return {
          kind: 'retry',
          status,
          message: `${status} ${error.code}: ${error.message}`,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          ...(Number.isInteger(eventLimit) && eventLimit > 0 ? { eventLimit } : {})
        }
      }
      const refusal: Outcome = { kind: 'reject', status, code: error.code, message: error.message }
      const date = response.headers.get('date')
      if (status === 401 && error.code === STALE_TIMESTAMP && date !== null) return { kind: 'stale', serverDate: Date.parse(date), refusal }
      return refusal
    } catch (err) {
      const cause = (err as { cause?: { code?: string, message?: string } }).cause
      const reason = abort.signal.aborted ? String((abort.signal.reason as Error)?.message ?? 'aborted') : (cause?.code ?? cause?.message ?? (err as Error).message)
      return { kind: 'retry', message: `cannot reach ${options.endpoint}: ${reason}` }
    } finally {
      clearTimeout(timer)
      this.#inflight.delete(abort)
    }
  }

  /** On close the deadline wins over a request that is still waiting for an answer. */
  abortAll (): void {
    for (const abort of this.#inflight) abort.abort(new Error('transport closing'))
  }
}

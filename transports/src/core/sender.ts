import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'
import { parseRetryAfter } from './backoff.js'
import type { Resolved } from './options.js'
import { sign } from './signer.js'

const gzip = promisify(gzipCallback)

export type Outcome =
  | { kind: 'ok', accepted: number }
  | { kind: 'retry', status?: number, retryAfterMs?: number, message: string }
  | { kind: 'reject', status: number, code: string, message: string }

type SenderOptions = Pick<Resolved, 'endpoint' | 'key' | 'secret' | 'gzip' | 'timeoutMs' | 'fetch' | 'now'>

async function readError (response: Response): Promise<{ code: string, message: string }> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { code?: unknown, message?: unknown }
    return { code: String(body.code ?? `HTTP_${response.status}`), message: String(body.message ?? text) }
  } catch {
    return { code: `HTTP_${response.status}`, message: text.slice(0, 200) || response.statusText }
  }
}

/** One signed POST; deciding when to try again belongs to the shipper. */
export class Sender {
  #options: SenderOptions
  #inflight = new Set<AbortController>()

  constructor (options: SenderOptions) {
    this.#options = options
  }

  async post (json: string): Promise<Outcome> {
    const options = this.#options
    const body = options.gzip ? await gzip(json) : Buffer.from(json)
    const timestamp = Math.floor(options.now() / 1000)
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
        return { kind: 'retry', status, message: `${status} ${error.code}: ${error.message}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
      }
      return { kind: 'reject', status, code: error.code, message: error.message }
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

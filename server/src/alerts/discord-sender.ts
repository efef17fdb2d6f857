import type { DiscordPayload } from './discord-format.js'

// Delivers one payload to one Discord webhook, by Discord's rules: ?wait=true so the answer says
// whether the message exists; 429 waits retry_after; X-RateLimit-Remaining 0 holds the next send
// until X-RateLimit-Reset-After; 5xx and network errors back off and retry; 401/403/404 mean the
// webhook is gone and retrying cannot help. Sends to one webhook go one at a time, so a burst of
// alerts reads the bucket headers instead of racing into 429s.

export interface SendResult {
  ok: boolean
  /** Discord's last HTTP status, null when no answer came (network error, timeout). */
  status: number | null
  attempts: number
  /** Discord's answer (or the network error), for the history. */
  response: string | null
  /** The webhook answered 401, 403 or 404: it was deleted or its token is wrong. */
  webhookGone: boolean
}

export interface SenderOptions {
  fetch?: typeof fetch
  /** Real time, not the app's clock: these are waits on a real network. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  timeoutMs?: number
  maxAttempts?: number
  backoffMs?: number
  /** A longer retry_after than this gives up instead of holding the queue. */
  maxWaitMs?: number
}

const RESPONSE_MAX = 1000

function resolveOptions (o: SenderOptions): Required<SenderOptions> {
  return {
    fetch: o.fetch ?? globalThis.fetch,
    now: o.now ?? Date.now,
    sleep: o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    timeoutMs: o.timeoutMs ?? 10_000,
    maxAttempts: o.maxAttempts ?? 4,
    backoffMs: o.backoffMs ?? 1_000,
    maxWaitMs: o.maxWaitMs ?? 60_000
  }
}

const GONE = new Set([401, 403, 404])

/** Seconds from a 429 body or headers, as milliseconds; Discord sends both, the body is finer. */
export function retryAfterMs (body: string, headers: Headers): number {
  try {
    const parsed = JSON.parse(body) as { retry_after?: unknown }
    if (typeof parsed.retry_after === 'number' && parsed.retry_after >= 0) return Math.ceil(parsed.retry_after * 1000)
  } catch {
    // Not JSON (a proxy's page): fall back to the headers.
  }
  for (const name of ['retry-after', 'x-ratelimit-reset-after']) {
    const v = Number(headers.get(name))
    if (headers.get(name) !== null && Number.isFinite(v) && v >= 0) return Math.ceil(v * 1000)
  }
  return 1_000
}

export function webhookUrlWithWait (url: string): string {
  const u = new URL(url)
  u.searchParams.set('wait', 'true')
  return u.toString()
}

export class DiscordSender {
  #o: Required<SenderOptions>
  /** Per webhook: the time before which Discord told us not to send. */
  #blockedUntil = new Map<string, number>()
  #queues = new Map<string, Promise<unknown>>()
  /** Aborted by close(): requests in flight and waits end at once, nothing more is tried. */
  #closing = new AbortController()

  constructor (options: SenderOptions = {}) {
    this.#o = resolveOptions(options)
  }

  send (url: string, payload: DiscordPayload): Promise<SendResult> {
    const previous = this.#queues.get(url) ?? Promise.resolve()
    const next = previous.then(() => this.#deliver(url, payload))
    const tail = next.catch(() => undefined)
    this.#queues.set(url, tail)
    void tail.then(() => { if (this.#queues.get(url) === tail) this.#queues.delete(url) })
    return next
  }

  /** Ends every request and wait in flight; their results say the receiver is shutting down. */
  close (): void {
    this.#closing.abort()
  }

  async #sleep (ms: number): Promise<void> {
    const signal = this.#closing.signal
    if (signal.aborted) return
    await Promise.race([this.#o.sleep(ms), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))])
  }

  async #deliver (url: string, payload: DiscordPayload): Promise<SendResult> {
    const o = this.#o
    const closing = this.#closing.signal
    const target = webhookUrlWithWait(url)
    const body = JSON.stringify(payload)
    let last: SendResult = { ok: false, status: null, attempts: 0, response: null, webhookGone: false }
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      if (closing.aborted) return { ...last, attempts: attempt - 1, response: 'not sent: the receiver is shutting down' }
      const wait = (this.#blockedUntil.get(url) ?? 0) - o.now()
      if (wait > 0) {
        if (wait > o.maxWaitMs) return { ...last, attempts: attempt - 1, response: `rate limited for ${Math.ceil(wait / 1000)} s more; not sent` }
        await this.#sleep(wait)
        if (closing.aborted) continue
      }
      let res: Response
      let text: string
      try {
        res = await o.fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'tekno-logger-server alerts' },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(o.timeoutMs), closing])
        })
        text = await res.text()
      } catch (err) {
        last = { ok: false, status: null, attempts: attempt, response: err instanceof Error ? `${err.name}: ${err.message}` : String(err), webhookGone: false }
        if (attempt < o.maxAttempts) await this.#sleep(o.backoffMs * 2 ** (attempt - 1))
        continue
      }
      this.#noteBucket(url, res.headers)
      last = { ok: res.ok, status: res.status, attempts: attempt, response: text.slice(0, RESPONSE_MAX), webhookGone: GONE.has(res.status) }
      if (res.ok || last.webhookGone) return last
      if (res.status === 429) {
        const ms = retryAfterMs(text, res.headers)
        if (ms > o.maxWaitMs) return last
        this.#blockedUntil.set(url, Math.max(this.#blockedUntil.get(url) ?? 0, o.now() + ms))
        continue
      }
      // Any other 4xx is our payload's fault: sending it again gets the same answer.
      if (res.status < 500) return last
      if (attempt < o.maxAttempts) await this.#sleep(o.backoffMs * 2 ** (attempt - 1))
    }
    return last
  }

  #noteBucket (url: string, headers: Headers): void {
    const remaining = headers.get('x-ratelimit-remaining')
    const resetAfter = Number(headers.get('x-ratelimit-reset-after'))
    if (remaining === '0' && Number.isFinite(resetAfter) && resetAfter > 0) {
      this.#blockedUntil.set(url, this.#o.now() + Math.ceil(resetAfter * 1000))
    } else if (remaining !== null && remaining !== '0') {
      this.#blockedUntil.delete(url)
    }
  }
}

import dc from 'node:diagnostics_channel'
import { parseRetryAfter } from './backoff.js'
import type { PrimaryResult } from './failover.js'

export interface WatchOptions {
  /** Origins that belong to the primary; undefined means every origin but the receiver's. */
  origins: string[] | undefined
  receiverOrigin: string
  now: () => number
  /** Called when a primary request starts; what it returns comes back with the result. */
  onStart: () => number
  onResult: (result: PrimaryResult, tag: number | undefined) => void
}

function normalise (origin: string): string | undefined {
  try {
    return new URL(origin).origin
  } catch {
    return undefined
  }
}

function undiciRetryAfter (headers: unknown): string | undefined {
  if (!Array.isArray(headers)) return undefined
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === 'retry-after') return String(headers[i + 1])
  }
  return undefined
}

/**
 * Sees the primary's HTTP answers through Node's diagnostics channels (undici for fetch, http
 * for http.request) without touching the primary itself. Bodies are out of sight here, which is
 * why a 403/413 seen this way is taken as a quota answer. Returns the unsubscribe function.
 */
export function watchPrimaryHttp (options: WatchOptions): () => void {
  const wanted = options.origins?.map(normalise).filter((o): o is string => o !== undefined)
  const tags = new WeakMap<object, number>()
  const isPrimary = (origin: string | undefined): boolean => {
    if (origin === undefined) return false
    return wanted === undefined ? origin !== options.receiverOrigin : wanted.includes(origin)
  }
  const report = (request: object, result: PrimaryResult): void => {
    if (!tags.has(request)) return
    const tag = tags.get(request)
    tags.delete(request)
    options.onResult(result, tag)
  }
  const fromStatus = (status: number, retryAfter: string | undefined): PrimaryResult => {
    if (status < 400) return { ok: true, status }
    const retryAfterMs = parseRetryAfter(retryAfter, options.now())
    return { ok: false, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
  }

  const handlers: Record<string, (message: any) => void> = {
    'undici:request:create': ({ request }) => {
      if (isPrimary(normalise(String(request.origin)))) tags.set(request, options.onStart())
    },
    'undici:request:headers': ({ request, response }) => {
      report(request, fromStatus(response.statusCode, undiciRetryAfter(response.headers)))
    },
    'undici:request:error': ({ request, error }) => {
      report(request, { ok: false, message: String(error?.code ?? error?.message ?? error) })
    },
    'http.client.request.start': ({ request }) => {
      const host = typeof request.getHeader === 'function' ? request.getHeader('host') : undefined
      if (host !== undefined && isPrimary(normalise(`${String(request.protocol)}//${String(host)}`))) tags.set(request, options.onStart())
    },
    'http.client.response.finish': ({ request, response }) => {
      const retryAfter = response.headers?.['retry-after']
      report(request, fromStatus(response.statusCode, typeof retryAfter === 'string' ? retryAfter : undefined))
    },
    'http.client.request.error': ({ request, error }) => {
      report(request, { ok: false, message: String(error?.code ?? error?.message ?? error) })
    }
  }
  for (const [name, handler] of Object.entries(handlers)) dc.subscribe(name, handler)
  return () => {
    for (const [name, handler] of Object.entries(handlers)) dc.unsubscribe(name, handler)
  }
}

import { gunzipSync } from 'node:zlib'

export interface Call {
  headers: Record<string, string>
  /** The JSON body after decompression. */
  json: { batch_id: string, events: any[] }
  raw: Buffer
}

type Answer = Response | Error

/**
 * A fetch for the core's unit tests: it records each POST and plays the given answers in order,
 * repeating the last one. Errors are thrown the way undici throws a refused connection.
 */
export function fakeFetch (answers: Array<Answer | (() => Answer)>): { fetch: typeof fetch, calls: Call[] } {
  const calls: Call[] = []
  const impl = async (_url: unknown, init?: RequestInit): Promise<Response> => {
    const raw = Buffer.from(init!.body as Uint8Array)
    const headers = init!.headers as Record<string, string>
    const text = headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString()
    calls.push({ headers, json: JSON.parse(text), raw })
    const next = answers[Math.min(calls.length - 1, answers.length - 1)]!
    const answer = typeof next === 'function' ? next() : next
    if (answer instanceof Error) throw answer
    // The list may repeat one Response; a clone keeps its body readable every time.
    return answer.clone()
  }
  return { fetch: impl as typeof fetch, calls }
}

export const accepted = (): Response => new Response('{"accepted":1}', { status: 202 })
export const refused = (): Error => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
export const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

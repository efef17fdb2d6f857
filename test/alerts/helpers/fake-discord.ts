import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// A local stand-in for Discord's webhook endpoint on 127.0.0.1. It enforces the limits Discord
// documents (and answers 400 like Discord when one is broken), requires ?wait=true, answers 429
// once when asked to, and treats the token "gone" as a deleted webhook (404, code 10015).

export interface FakeDiscordOptions {
  /** The first webhook request is answered 429 with this retry_after (seconds). */
  rateLimitOnceSeconds?: number
  /** The next N requests answer 500 before a good one. */
  failWith500?: number
}

export interface ReceivedMessage {
  webhook: string
  payload: any
  at: number
}

export interface FakeDiscord {
  /** A webhook URL on this server; token "gone" answers 404, "hang" never answers. */
  webhookUrl (token?: string): string
  /** Messages accepted (200), in order. */
  messages: ReceivedMessage[]
  /** Payloads refused with 400, with the reason. */
  rejected: Array<{ payload: unknown, reason: string }>
  /** Every request, with its answer status. */
  requests: Array<{ path: string, status: number }>
  failNext (n: number): void
  close (): Promise<void>
}

const LIMITS = { content: 2000, embeds: 10, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 }

/** The first limit the payload breaks, or null. */
export function discordViolation (p: any): string | null {
  if (p === null || typeof p !== 'object') return 'body is not an object'
  if (JSON.stringify(p.allowed_mentions) !== JSON.stringify({ parse: [] })) return 'allowed_mentions must be {"parse": []}'
  const embeds: any[] = p.embeds ?? []
  if ((p.content ?? '') === '' && embeds.length === 0) return 'empty message'
  if (typeof p.content === 'string' && p.content.length > LIMITS.content) return `content over ${LIMITS.content}`
  if (embeds.length > LIMITS.embeds) return `more than ${LIMITS.embeds} embeds`
  let total = 0
  for (const e of embeds) {
    if (e.title !== undefined && e.title.length > LIMITS.title) return `title over ${LIMITS.title}`
    if (e.description !== undefined && e.description.length > LIMITS.description) return `description over ${LIMITS.description}`
    if (e.footer !== undefined && e.footer.text.length > LIMITS.footer) return 'footer too long'
    if (e.url !== undefined && !/^https?:\/\//.test(e.url)) return 'embed url is not http(s)'
    const fields: any[] = e.fields ?? []
    if (fields.length > LIMITS.fields) return `more than ${LIMITS.fields} fields`
    for (const f of fields) {
      if (typeof f.name !== 'string' || f.name.length === 0 || f.name.length > LIMITS.fieldName) return 'bad field name'
      if (typeof f.value !== 'string' || f.value.length === 0 || f.value.length > LIMITS.fieldValue) return `field value over ${LIMITS.fieldValue} or empty`
      total += f.name.length + f.value.length
    }
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0)
  }
  if (total > LIMITS.total) return `embeds total ${total} over ${LIMITS.total}`
  return null
}

export async function startFakeDiscord (opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const messages: ReceivedMessage[] = []
  const rejected: Array<{ payload: unknown, reason: string }> = []
  const requests: Array<{ path: string, status: number }> = []
  let rateLimitPending = opts.rateLimitOnceSeconds !== undefined
  let fail500 = opts.failWith500 ?? 0
  let nextId = 1

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    requests.push({ path: req.url ?? '', status })
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const match = /^\/api\/webhooks\/(\d+)\/([\w-]+)$/.exec(url.pathname)
      if (req.method !== 'POST' || match === null) return answer(req, res, 405, { message: '405: Method Not Allowed', code: 0 })
      if (match[2] === 'gone') return answer(req, res, 404, { message: 'Unknown Webhook', code: 10015 })
      // Never answers: the sender's timeout has to end the wait.
      if (match[2] === 'hang') { requests.push({ path: req.url ?? '', status: 0 }); return }
      if (rateLimitPending) {
        rateLimitPending = false
        return answer(req, res, 429, { message: 'You are being rate limited.', retry_after: opts.rateLimitOnceSeconds, global: false }, {
          'retry-after': String(Math.ceil(opts.rateLimitOnceSeconds ?? 1)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(opts.rateLimitOnceSeconds),
          'x-ratelimit-scope': 'user'
        })
      }
      if (fail500 > 0) {
        fail500--
        return answer(req, res, 500, { message: '500: Internal Server Error', code: 0 })
      }
      if (url.searchParams.get('wait') !== 'true') return answer(req, res, 400, { message: 'this fake requires ?wait=true', code: 0 })
      let payload: any
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        return answer(req, res, 400, { message: 'The request body contains invalid JSON.', code: 50109 })
      }
      const reason = discordViolation(payload)
      if (reason !== null) {
        rejected.push({ payload, reason })
        return answer(req, res, 400, { message: 'Invalid Form Body', code: 50035, errors: { reason } })
      }
      messages.push({ webhook: `${match[1]}/${match[2]}`, payload, at: Date.now() })
      const id = String(nextId++)
      answer(req, res, 200, { id, type: 0, channel_id: '1', content: payload.content ?? '', embeds: payload.embeds ?? [], webhook_id: match[1] }, {
        'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '0.4'
      })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port

  return {
    webhookUrl: (token = 'tok') => `http://127.0.0.1:${port}/api/webhooks/123/${token}`,
    messages,
    rejected,
    requests,
    failNext (n) { fail500 = n },
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import t from 'tap'
import { DiscordSender, retryAfterMs, webhookUrlWithWait } from '../../server/dist/alerts/discord-sender.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// The sender against a real HTTP server on 127.0.0.1. Waits go through an injected sleep that
// records them and moves an injected clock, so backoff and retry_after are checked exactly.

const payload = { content: 'hello', allowed_mentions: { parse: [] as [] } }

function fakeTime () {
  let now = 1_000_000
  const waits: number[] = []
  return { waits, now: () => now, sleep: async (ms: number) => { waits.push(ms); now += ms } }
}

t.test('429: waits retry_after, then delivers', async (t) => {
  const discord = await startFakeDiscord({ rateLimitOnceSeconds: 2.5 })
  t.teardown(() => discord.close())
  const time = fakeTime()
  const sender = new DiscordSender({ ...time })
  const result = await sender.send(discord.webhookUrl(), payload)
  t.equal(result.ok, true)
  t.equal(result.attempts, 2)
  t.same(time.waits, [2500], 'retry_after from the body, in ms')
  t.same(discord.requests.map((r) => r.status), [429, 200])
  t.match(discord.requests[1]?.path, /\?wait=true$/)
})

t.test('a retry_after longer than the longest wait gives up instead of holding the queue', async (t) => {
  const discord = await startFakeDiscord({ rateLimitOnceSeconds: 3600 })
  t.teardown(() => discord.close())
  const time = fakeTime()
  const result = await new DiscordSender({ ...time, maxWaitMs: 60_000 }).send(discord.webhookUrl(), payload)
  t.equal(result.ok, false)
  t.equal(result.status, 429)
  t.same(time.waits, [])
})

t.test('5xx: retries with exponential backoff', async (t) => {
  const discord = await startFakeDiscord({ failWith500: 2 })
  t.teardown(() => discord.close())
  const time = fakeTime()
  const result = await new DiscordSender({ ...time, backoffMs: 100 }).send(discord.webhookUrl(), payload)
  t.equal(result.ok, true)
  t.equal(result.attempts, 3)
  t.same(time.waits, [100, 200])
})

t.test('5xx for ever: gives up after maxAttempts with the last answer', async (t) => {
  const discord = await startFakeDiscord({ failWith500: 100 })
  t.teardown(() => discord.close())
  const time = fakeTime()
  const result = await new DiscordSender({ ...time, backoffMs: 10, maxAttempts: 3 }).send(discord.webhookUrl(), payload)
  t.same([result.ok, result.status, result.attempts, result.webhookGone], [false, 500, 3, false])
  t.same(time.waits, [10, 20])
})

t.test('404: the webhook is gone; no retry', async (t) => {
  const discord = await startFakeDiscord()
  t.teardown(() => discord.close())
  const time = fakeTime()
  const result = await new DiscordSender({ ...time }).send(discord.webhookUrl('gone'), payload)
  t.same([result.ok, result.status, result.attempts, result.webhookGone], [false, 404, 1, true])
  t.match(result.response, /Unknown Webhook/)
})

t.test('400: our payload is refused; no retry', async (t) => {
  const discord = await startFakeDiscord()
  t.teardown(() => discord.close())
  const result = await new DiscordSender({ ...fakeTime() }).send(discord.webhookUrl(), { content: 'x'.repeat(2001), allowed_mentions: { parse: [] } })
  t.same([result.ok, result.status, result.attempts, result.webhookGone], [false, 400, 1, false])
})

t.test('network errors and timeouts are retried, then reported', async (t) => {
  // A port that was just closed: connection refused.
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  const time = fakeTime()
  let result = await new DiscordSender({ ...time, backoffMs: 5, maxAttempts: 2 }).send(`http://127.0.0.1:${port}/api/webhooks/1/x`, payload)
  t.same([result.ok, result.status, result.attempts], [false, null, 2])
  t.match(result.response, /fetch failed|ECONNREFUSED/)
  t.same(time.waits, [5])

  const discord = await startFakeDiscord()
  t.teardown(() => discord.close())
  result = await new DiscordSender({ ...fakeTime(), timeoutMs: 100, maxAttempts: 2, backoffMs: 1 }).send(discord.webhookUrl('hang'), payload)
  t.same([result.ok, result.status, result.attempts], [false, null, 2])
  t.match(result.response, /TimeoutError|aborted/i)
})

t.test('X-RateLimit-Remaining 0 holds the next send until the bucket resets', async (t) => {
  const server = createServerAnswering()
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); return new Promise((resolve) => server.close(resolve)) })
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/webhooks/1/x`
  const time = fakeTime()
  const sender = new DiscordSender({ ...time })
  await Promise.all([sender.send(url, payload), sender.send(url, payload)])
  t.same(time.waits, [1500], 'the second send waited for X-RateLimit-Reset-After')
})

t.test('helpers', async (t) => {
  t.equal(webhookUrlWithWait('https://discord.com/api/webhooks/1/abc?thread_id=9'), 'https://discord.com/api/webhooks/1/abc?thread_id=9&wait=true')
  t.equal(retryAfterMs('{"retry_after": 0.25}', new Headers()), 250)
  t.equal(retryAfterMs('<html>', new Headers({ 'retry-after': '3' })), 3000)
})

/** Answers 200 with an exhausted bucket every time. */
function createServerAnswering () {
  return createHttpServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '1.5' })
      res.end('{"id":"1"}')
    })
  }).listen(0, '127.0.0.1')
}

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
// @ts-expect-error plain JavaScript module without types
import { hammer, PREBUILT_MAX_REQUESTS, prebuiltRequests, sendsPrebuilt } from '../../bench/lib/load.js'
// @ts-expect-error plain JavaScript module without types
import { batchTemplate } from '../../bench/lib/seed-batch.js'
import { verifySignature } from '../../server/src/ingest/signature.js'

// Single-client latency runs send requests built before the clock starts. Built ahead, each must
// still be a batch of its own (a repeated id is acknowledged, not stored), signed as the receiver
// checks it, with timestamps that move on from one batch to the next as a live transport's do.

interface Sent { batch_id: string, events: Array<{ ts: string }> }
interface Built { headers: Record<string, string>, body: Buffer, path: string, method: string }

const KEY = 'bench-key'
const SECRET = 'bench-secret-0123456789'

t.test('pre-built requests: distinct batch ids, valid signatures, timestamps spacingMs apart', async (t) => {
  const template = batchTemplate({ count: 3, bytes: 900, runId: 'unit' })
  const now = Date.parse('2026-11-29T10:00:00.000Z')
  const built: Built[] = prebuiltRequests({ key: KEY, secret: SECRET, template, amount: 4, path: '/api/log', runId: 'unit', now, spacingMs: 10 })
  t.equal(built.length, 4)
  const sent = built.map((r) => JSON.parse(r.body.toString()) as Sent)
  t.equal(new Set(sent.map((s) => s.batch_id)).size, 4, 'each has its own batch id')
  for (const r of built) {
    t.equal(r.method, 'POST')
    t.equal(r.path, '/api/log')
    t.equal(r.headers['x-tekno-key'], KEY)
    t.ok(verifySignature([SECRET], r.headers['x-tekno-timestamp'] as string, r.body, r.headers['x-tekno-signature']), 'signed over its own body')
  }
  const last = sent.map((s) => Date.parse((s.events.at(-1) as { ts: string }).ts))
  t.same(last.map((ts) => ts - now), [-1, 9, 19, 29], 'each batch 10 ms after the one before')
})

t.test('one client, a fixed amount: every request reaches the server once, in order', async (t) => {
  const received: Sent[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString()) as Sent)
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":3}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const template = batchTemplate({ count: 3, bytes: 900, runId: 'unit' })
  const r = await hammer({ url, key: KEY, secret: SECRET, template, connections: 1, amount: 6, runId: 'unit' }).done
  t.equal(r.ok, 6, 'six answers')
  t.equal(received.length, 6, 'six requests, none repeated')
  t.equal(new Set(received.map((s) => s.batch_id)).size, 6, 'six batch ids')
  const firsts = received.map((s) => Date.parse((s.events[0] as { ts: string }).ts))
  t.ok(firsts.every((ts, i) => i === 0 || ts > (firsts[i - 1] as number)), 'sent in the order built, timestamps rising')
})

t.test('only one unpaced client with at most PREBUILT_MAX_REQUESTS requests sends them pre-built', async (t) => {
  t.equal(PREBUILT_MAX_REQUESTS, 500)
  t.equal(sendsPrebuilt({ connections: 1, amount: 300 }), true, 'the seed run')
  t.equal(sendsPrebuilt({ connections: 1, amount: 500 }), true, 'at the bound')
  t.equal(sendsPrebuilt({ connections: 1, amount: 501 }), false, 'past it: memory and the signature window')
  t.equal(sendsPrebuilt({ connections: 2, amount: 20 }), false, 'two clients would send the same list')
  t.equal(sendsPrebuilt({ connections: 1, seconds: 10 }), false, 'a timed load')
  t.equal(sendsPrebuilt({ connections: 1, amount: 300, rate: 4 }), false, 'a paced (remote) load')
})

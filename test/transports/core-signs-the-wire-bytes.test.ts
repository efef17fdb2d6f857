import t from 'tap'
import { gzipSync } from 'node:zlib'
import { createHmac } from 'node:crypto'
import { sign } from '../../transports/dist/core/signer.js'
import { resolveOptions } from '../../transports/dist/core/options.js'
import { Shipper } from '../../transports/dist/core/shipper.js'
import { accepted, fakeFetch } from './fixtures/helpers/fake-fetch.js'

t.test('signature matches the contract test vector', async (t) => {
  // Computed with `openssl dgst -sha256 -hmac s3cret`, independently of our code.
  t.equal(sign('s3cret', 1700000000, '{"events":[]}'), 'v1=41b4d3f6c59a79e37d083fb3cbe77f82807c4369fd469fb70cfa75e02d2e2775')
  const body = gzipSync('{"events":[]}')
  t.equal(sign('s3cret', 1700000000, body), 'v1=' + createHmac('sha256', 's3cret').update('1700000000.').update(body).digest('hex'))
})

t.test('a gzipped batch is signed over the compressed bytes with the injected clock', async (t) => {
  const { fetch, calls } = fakeFetch([accepted()])
  const shipper = new Shipper(resolveOptions({ url: 'http://127.0.0.1:9/base/', key: 'k', secret: 's3cret', spoolDir: false, fetch, now: () => 1_700_000_000_500 }))
  shipper.push({ level: 'info', message: 'hello' })
  await shipper.flush()
  t.equal(calls.length, 1)
  const call = calls[0]!
  t.equal(call.headers['content-encoding'], 'gzip')
  t.equal(call.headers['x-tekno-key'], 'k')
  t.equal(call.headers['x-tekno-timestamp'], '1700000000', 'whole seconds')
  t.equal(call.headers['x-tekno-signature'], 'v1=' + createHmac('sha256', 's3cret').update('1700000000.').update(call.raw).digest('hex'))
  t.match(call.json, { batch_id: /^[0-9a-f-]{36}$/, events: [{ level: 'info', message: 'hello' }] })
  await shipper.close()
})

t.test('batches are cut by count and by bytes, never over the receiver limits', async (t) => {
  const { fetch, calls } = fakeFetch([accepted()])
  const shipper = new Shipper(resolveOptions({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: false, gzip: false, fetch, batchMaxEvents: 1000, batchMaxBytes: 10_000_000 }))
  for (let i = 0; i < 600; i++) shipper.push({ level: 'info', message: `m${i}` })
  const big = 'x'.repeat(60_000)
  for (let i = 0; i < 20; i++) shipper.push({ level: 'info', message: big })
  await shipper.flush()
  t.ok(calls.every((c) => c.json.events.length <= 250), 'count clamped to 250')
  t.ok(calls.every((c) => c.raw.length <= 512 * 1024), 'bytes clamped under 512 KiB')
  t.equal(calls.reduce((n, c) => n + c.json.events.length, 0), 620, 'every event sent once')
  t.same(calls.flatMap((c) => c.json.events).slice(0, 600).map((e) => e.message), Array.from({ length: 600 }, (_, i) => `m${i}`), 'in order')
  await shipper.close()
})

t.test('an event over maxEventBytes is truncated rather than refused', async (t) => {
  const { fetch, calls } = fakeFetch([accepted()])
  const shipper = new Shipper(resolveOptions({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: false, fetch, maxEventBytes: 1000 }))
  shipper.push({ level: 'error', message: 'y'.repeat(5000), context: { blob: 'z'.repeat(5000) } })
  await shipper.flush()
  const event = calls[0]!.json.events[0]
  t.ok(JSON.stringify(event).length <= 1000)
  t.match(event, { level: 'error', message: /^y+…\[truncated\]$/, context: { truncated: true } })
  await shipper.close()
})

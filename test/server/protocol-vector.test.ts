import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { sign } from '../../server/dist/ingest/signature.js'
import { backends } from '../helpers/backends.js'
import { startReceiver } from '../helpers/receiver.js'

// The test vector in docs/protocol.md is what other implementers check themselves against, so it
// must be right: our sign(), an independent HMAC and a real receiver all agree with it.

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')
const block = /```text tekno-test-vector\n([\s\S]*?)\n```/.exec(doc)?.[1]
const vector = Object.fromEntries((block ?? '').split('\n').map((line) => {
  const at = line.indexOf(': ')
  return [line.slice(0, at), line.slice(at + 2)]
})) as Record<'key' | 'secret' | 'timestamp' | 'body' | 'signature', string>

t.test('docs/protocol.md has a complete test vector', async (t) => {
  t.ok(block, 'a ```text tekno-test-vector block')
  for (const field of ['key', 'secret', 'timestamp', 'body', 'signature'] as const) {
    t.type(vector[field], 'string', field)
    t.ok(vector[field]?.length, `${field} is not empty`)
  }
  t.match(vector.timestamp, /^\d+$/, 'timestamp in whole seconds')
  t.match(vector.signature, /^v1=[0-9a-f]{64}$/)
  t.doesNotThrow(() => JSON.parse(vector.body), 'body is JSON')
})

t.test('sign() and an independent HMAC both produce the documented signature', async (t) => {
  const body = Buffer.from(vector.body, 'utf8')
  t.equal(sign(vector.secret, vector.timestamp, body), vector.signature, 'sign()')
  const independent = 'v1=' + createHmac('sha256', Buffer.from(vector.secret, 'utf8'))
    .update(Buffer.concat([Buffer.from(`${vector.timestamp}.`, 'ascii'), body])).digest('hex')
  t.equal(independent, vector.signature, 'createHmac over TIMESTAMP "." RAW_BODY')
})

for (const backend of backends()) {
  t.test(`${backend}: a receiver whose clock reads the vector's timestamp accepts its body`, async (t) => {
    const clock = Number(vector.timestamp) * 1000 + 2_000
    const r = await startReceiver({ backend, now: () => clock })
    t.teardown(() => r.close())
    const project = await r.store.projects.create({ name: 'vector', key: vector.key, secret: vector.secret, retention_hours: 48 }, clock)
    const post = (headers: Record<string, string>) => fetch(`${r.url}/api/log`, {
      method: 'POST',
      body: vector.body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-tekno-key': vector.key,
        'x-tekno-timestamp': vector.timestamp,
        'x-tekno-signature': vector.signature,
        ...headers
      }
    })

    const res = await post({})
    t.equal(res.status, 202)
    t.same(await res.json(), { accepted: 1 })
    const [stored] = await r.fetchEvents({ project_id: String(project.id) })
    t.match(stored, {
      ts: '2025-11-27T22:50:51.123Z', level: 'error', message: 'db timeout', source: 'api',
      stack: 'Error: db timeout\n    at query (db.js:42:7)', context: { userId: 7 }
    })
    const again = await post({})
    t.same(await again.json(), { accepted: 1, duplicate: true }, 'the vector\'s batch_id makes a resend a duplicate')

    const tampered = await fetch(`${r.url}/api/log`, {
      method: 'POST',
      body: vector.body.replace('db timeout', 'db tImeout'),
      headers: { 'content-type': 'application/json', 'x-tekno-key': vector.key, 'x-tekno-timestamp': vector.timestamp, 'x-tekno-signature': vector.signature }
    })
    t.equal(tampered.status, 401, 'one changed byte breaks the signature')
    t.equal((await tampered.json() as { code: string }).code, 'TEKNO_ERR_BAD_SIGNATURE')
  })

  t.test(`${backend}: the same body is stale once the clock is 301 s away`, async (t) => {
    const clock = (Number(vector.timestamp) + 301) * 1000
    const r = await startReceiver({ backend, now: () => clock })
    t.teardown(() => r.close())
    await r.store.projects.create({ name: 'vector', key: vector.key, secret: vector.secret, retention_hours: 48 }, clock)
    const res = await fetch(`${r.url}/api/log`, {
      method: 'POST',
      body: vector.body,
      headers: { 'content-type': 'application/json', 'x-tekno-key': vector.key, 'x-tekno-timestamp': vector.timestamp, 'x-tekno-signature': vector.signature }
    })
    t.equal(res.status, 401)
    t.equal((await res.json() as { code: string }).code, 'TEKNO_ERR_STALE_TIMESTAMP')
  })
}

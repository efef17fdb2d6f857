import { gzipSync } from 'node:zlib'
import t, { type Test } from 'tap'
import { backends } from '../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'
import { signedHeaders } from '../helpers/sign.js'

// Every status code CONTRACT.md pins for POST /api/log, on each backend, through real HTTP.
// Each refusal is also checked to have stored nothing.

const event = (i: number) => ({ message: `event ${i}`, level: 'info', source: 'test' })

async function post (r: RunningReceiver, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number, json: any, headers: Headers }> {
  const res = await fetch(`${r.url}/api/log`, { method: 'POST', headers, body })
  return { status: res.status, json: await res.json(), headers: res.headers }
}

for (const backend of backends()) {
  t.test(backend, async (t) => {
    const r = await startReceiver({ backend })
    t.teardown(() => r.close())
    const sign = (body: Buffer | string, opts?: { timestamp?: number, gzip?: boolean }) => signedHeaders(r.key, r.secret, body, opts)

    // The refusals run first, while the project is still empty.
    const expectNothingStored = async (t: Test) => {
      t.equal((await r.fetchEvents()).length, 0, 'nothing was stored')
    }

    t.test('400 malformed JSON', async (t) => {
      const body = '{"events": [ {"message": "x"} '
      const res = await post(r, body, sign(body))
      t.equal(res.status, 400)
      t.equal(res.json.code, 'TEKNO_ERR_BAD_JSON')
      await expectNothingStored(t)
    })

    t.test('400 invalid event names index and field, and the whole batch is refused', async (t) => {
      const body = JSON.stringify({ events: [event(1), event(2), { message: 'x', level: 'loud' }] })
      const res = await post(r, body, sign(body))
      t.equal(res.status, 400)
      t.equal(res.json.code, 'TEKNO_ERR_VALIDATION')
      t.equal(res.json.index, 2)
      t.equal(res.json.field, 'level')
      t.type(res.json.message, 'string')
      await expectNothingStored(t)
    })

    t.test('401 for a missing key, unknown key, bad signature, stale and missing timestamp', async (t) => {
      const body = JSON.stringify({ events: [event(1)] })
      const cases: Array<[string, Record<string, string>, string]> = [
        ['missing key', { ...sign(body), 'x-tekno-key': '' }, 'TEKNO_ERR_MISSING_KEY'],
        ['unknown key', { ...sign(body), 'x-tekno-key': 'tkp_nope' }, 'TEKNO_ERR_UNKNOWN_KEY'],
        ['bad signature', { ...sign(body), 'x-tekno-signature': `v1=${'0'.repeat(64)}` }, 'TEKNO_ERR_BAD_SIGNATURE'],
        ['wrong secret', signedHeaders(r.key, 'not-the-secret', body), 'TEKNO_ERR_BAD_SIGNATURE'],
        ['stale timestamp', sign(body, { timestamp: Math.floor(Date.now() / 1000) - 330 }), 'TEKNO_ERR_STALE_TIMESTAMP'],
        ['future timestamp', sign(body, { timestamp: Math.floor(Date.now() / 1000) + 330 }), 'TEKNO_ERR_STALE_TIMESTAMP'],
        ['missing timestamp', { ...sign(body), 'x-tekno-timestamp': '' }, 'TEKNO_ERR_STALE_TIMESTAMP']
      ]
      for (const [name, headers, code] of cases) {
        const res = await post(r, body, headers)
        t.equal(res.status, 401, name)
        t.equal(res.json.code, code, name)
      }
      await expectNothingStored(t)
    })

    t.test('413 over 512 KiB on the wire, after decompression, and over 250 events', async (t) => {
      const big = JSON.stringify({ events: [{ message: 'x'.repeat(520 * 1024) }] })
      let res = await post(r, big, sign(big))
      t.equal(res.status, 413, 'raw body too large')
      t.equal(res.json.code, 'TEKNO_ERR_BODY_TOO_LARGE')

      // A gzip bomb: tiny on the wire, 10 MiB inflated. The inflate cap stops it.
      const bomb = gzipSync(Buffer.from(JSON.stringify({ events: [{ message: 'a'.repeat(10 * 1024 * 1024) }] })))
      t.ok(bomb.length < 64 * 1024, 'the bomb is small on the wire')
      res = await post(r, bomb, sign(bomb, { gzip: true }))
      t.equal(res.status, 413, 'inflated body too large')
      t.equal(res.json.code, 'TEKNO_ERR_BODY_TOO_LARGE')

      const many = JSON.stringify({ events: Array.from({ length: 251 }, (_, i) => event(i)) })
      res = await post(r, many, sign(many))
      t.equal(res.status, 413, 'too many events')
      t.equal(res.json.code, 'TEKNO_ERR_TOO_MANY_EVENTS')
      await expectNothingStored(t)
    })

    t.test('415 for another content type or encoding', async (t) => {
      const body = JSON.stringify({ events: [event(1)] })
      let res = await post(r, body, { ...sign(body), 'content-type': 'text/plain' })
      t.equal(res.status, 415)
      t.equal(res.json.code, 'TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE')
      res = await post(r, body, { ...sign(body), 'content-encoding': 'br' })
      t.equal(res.status, 415)
      t.equal(res.json.code, 'TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE')
      await expectNothingStored(t)
    })

    t.test('202 stores the batch and answers the count', async (t) => {
      const body = JSON.stringify({ events: [event(1), event(2)] })
      const res = await post(r, body, sign(body))
      t.equal(res.status, 202)
      t.same(res.json, { accepted: 2 })
      const events = await r.fetchEvents()
      t.equal(events.length, 2)
      t.end()
    })

    t.test('gzip bodies are signed over the compressed bytes and stored', async (t) => {
      const raw = gzipSync(Buffer.from(JSON.stringify({ events: [event(7)] })))
      const res = await post(r, raw, sign(raw, { gzip: true }))
      t.equal(res.status, 202)
      const events = await r.fetchEvents()
      t.equal(events[0].message, 'event 7')
    })
    t.end()
  })
}

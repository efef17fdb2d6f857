import { createHmac } from 'node:crypto'
import t from 'tap'
import { checkTimestamp, sign, SIGNATURE_TOLERANCE_SECONDS, verifySignature } from '../../../server/dist/ingest/signature.js'

// The signing rule of CONTRACT.md, checked against an independent HMAC computation, and the
// verification rules: constant-format header, both secrets during a rotation, 300 s window.

const body = Buffer.from('{"events":[{"message":"hello"}]}')
const ts = '1764283851'

t.test('sign() is v1= + lowercase hex HMAC-SHA256(secret, TIMESTAMP "." RAW_BODY)', async (t) => {
  const expected = createHmac('sha256', 'secret-1').update(`${ts}.${body.toString()}`).digest('hex')
  t.equal(sign('secret-1', ts, body), `v1=${expected}`)
  t.equal(sign('secret-1', Number(ts), body.toString()), `v1=${expected}`, 'number timestamp and string body sign the same bytes')
  t.match(sign('secret-1', ts, body), /^v1=[0-9a-f]{64}$/)
})

t.test('verifySignature accepts the right secret and refuses everything else', async (t) => {
  const good = sign('secret-1', ts, body)
  const cases: Array<[string, readonly string[], string, Buffer, string | undefined, boolean]> = [
    ['right secret', ['secret-1'], ts, body, good, true],
    ['wrong secret', ['secret-2'], ts, body, good, false],
    ['no secrets at all', [], ts, body, good, false],
    ['other timestamp', ['secret-1'], '1764283852', body, good, false],
    ['body changed by one byte', ['secret-1'], ts, Buffer.from(body.toString().replace('hello', 'hellO')), good, false],
    ['missing header', ['secret-1'], ts, body, undefined, false],
    ['no v1= prefix', ['secret-1'], ts, body, good.slice(3), false],
    ['upper-case hex', ['secret-1'], ts, body, `v1=${good.slice(3).toUpperCase()}`, false],
    ['v2= prefix', ['secret-1'], ts, body, `v2=${good.slice(3)}`, false],
    ['truncated', ['secret-1'], ts, body, good.slice(0, -2), false],
    ['extra characters', ['secret-1'], ts, body, `${good}00`, false],
    ['non-hex', ['secret-1'], ts, body, `v1=${'z'.repeat(64)}`, false]
  ]
  for (const [name, secrets, timestamp, raw, header, ok] of cases) {
    t.equal(verifySignature(secrets, timestamp, raw, header), ok, name)
  }
})

t.test('during a rotation both the new and the previous secret verify', async (t) => {
  const secrets = ['new-secret', 'old-secret']
  t.ok(verifySignature(secrets, ts, body, sign('new-secret', ts, body)), 'new secret')
  t.ok(verifySignature(secrets, ts, body, sign('old-secret', ts, body)), 'previous secret')
  t.notOk(verifySignature(secrets, ts, body, sign('third-secret', ts, body)), 'any other secret')
  t.notOk(verifySignature(['new-secret'], ts, body, sign('old-secret', ts, body)), 'previous secret once it is dropped')
})

t.test('the timestamp window is 300 seconds either way', async (t) => {
  t.equal(SIGNATURE_TOLERANCE_SECONDS, 300)
  const now = 1_764_283_851_000
  const at = (offsetSeconds: number) => String(now / 1000 + offsetSeconds)
  const cases: Array<[string, string | undefined, string]> = [
    ['exact', at(0), 'ok'],
    ['300 s behind', at(-300), 'ok'],
    ['300 s ahead', at(300), 'ok'],
    ['301 s behind', at(-301), 'stale'],
    ['301 s ahead', at(301), 'stale'],
    ['a day old', at(-86_400), 'stale'],
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['milliseconds instead of seconds', String(now), 'missing'],
    ['fractional', `${now / 1000}.5`, 'missing'],
    ['negative', '-1', 'missing'],
    ['ISO date', new Date(now).toISOString(), 'missing']
  ]
  for (const [name, header, expected] of cases) {
    t.equal(checkTimestamp(header, now), expected, name)
  }
  // The server clock keeps its milliseconds: 300.4 s away is already outside.
  t.equal(checkTimestamp(at(0), now + 300_400), 'stale', 'the server clock is compared with its milliseconds')
  t.equal(checkTimestamp(at(0), now + 300_000), 'ok', 'exactly 300.000 s is inside')
})

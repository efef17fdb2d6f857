import t from 'tap'
import { createSessionCodec, SESSION_TTL_MS } from '../../server/dist/dashboard/session-token.js'

// Sessions are stateless: any receiver with the same ADMIN_TOKEN verifies them, nothing else does.

const TOKEN = 'a'.repeat(40)
const NOW = 1_800_000_000_000

t.test('a session verifies on another instance with the same token until it expires', async (t) => {
  const issued = createSessionCodec(TOKEN).issue(NOW)
  const elsewhere = createSessionCodec(TOKEN)
  t.equal(issued.expiresAt, NOW + SESSION_TTL_MS)
  t.equal(elsewhere.verify(issued.value, NOW + 1), issued.expiresAt)
  t.equal(elsewhere.verify(issued.value, issued.expiresAt - 1), issued.expiresAt)
  t.equal(elsewhere.verify(issued.value, issued.expiresAt), null, 'expired')
})

t.test('another admin token, a changed expiry or a changed signature do not verify', async (t) => {
  const codec = createSessionCodec(TOKEN)
  const { value } = codec.issue(NOW)
  t.equal(createSessionCodec('b'.repeat(40)).verify(value, NOW), null, 'other token')
  const [v, expiry, nonce, sig] = value.split('.')
  t.equal(codec.verify([v, String(Number(expiry) + 1e9), nonce, sig].join('.'), NOW), null, 'longer expiry')
  // Change the first character: it carries six whole bits (the last one of a base64url digest
  // also holds padding bits, so changing it may decode to the very same bytes).
  const tampered = `${sig?.startsWith('A') === true ? 'B' : 'A'}${sig?.slice(1)}`
  t.equal(codec.verify([v, expiry, nonce, tampered].join('.'), NOW), null, 'signature')
  for (const junk of [undefined, '', 'v1', 'x'.repeat(500), 'v2.1.2.3']) t.equal(codec.verify(junk, NOW), null, `junk ${junk?.slice(0, 8)}`)
})

t.test('the CSRF token belongs to one session and is not its signature', async (t) => {
  const codec = createSessionCodec(TOKEN)
  const one = codec.issue(NOW).value
  const two = codec.issue(NOW).value
  const csrf = codec.csrfFor(one)
  t.ok(codec.checkCsrf(one, csrf))
  t.notOk(codec.checkCsrf(two, csrf), 'not for another session')
  t.notOk(codec.checkCsrf(one, undefined))
  t.notOk(codec.checkCsrf(one, one.split('.')[3]), 'the session signature is not a CSRF token')
})

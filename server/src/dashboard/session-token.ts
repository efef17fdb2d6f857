import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Stateless dashboard sessions: the cookie carries its own expiry and an HMAC under a key derived
// from the admin token, so any receiver sharing ADMIN_TOKEN verifies it without a session table,
// and changing ADMIN_TOKEN signs every dashboard out at once. The CSRF token is a second HMAC of
// the cookie value: page script can read it from /dashboard/session but never the cookie itself.

export const SESSION_COOKIE = 'tekno_session'
export const SESSION_TTL_MS = 12 * 3_600_000
const VERSION = 'v1'

export interface SessionCodec {
  /** A new cookie value valid for SESSION_TTL_MS from `now`. */
  issue (now: number): { value: string, expiresAt: number }
  /** The expiry when the value is one this token signed and it has not expired, else null. */
  verify (value: string | undefined, now: number): number | null
  csrfFor (value: string): string
  checkCsrf (value: string, given: string | undefined): boolean
}

function equal (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function createSessionCodec (adminToken: string): SessionCodec {
  // Separate keys per purpose: a CSRF token can never be replayed as a session signature.
  const sessionKey = createHmac('sha256', adminToken).update('tekno-dashboard-session').digest()
  const csrfKey = createHmac('sha256', adminToken).update('tekno-dashboard-csrf').digest()
  const mac = (key: Buffer, text: string): string => createHmac('sha256', key).update(text).digest('base64url')

  return {
    issue (now) {
      const expiresAt = now + SESSION_TTL_MS
      const body = `${VERSION}.${expiresAt}.${randomBytes(12).toString('base64url')}`
      return { value: `${body}.${mac(sessionKey, body)}`, expiresAt }
    },
    verify (value, now) {
      if (value === undefined || value.length > 200) return null
      const m = /^(v1\.(\d{1,16})\.[A-Za-z0-9_-]{1,40})\.([A-Za-z0-9_-]{43})$/.exec(value)
      if (m === null) return null
      const [, body, expiry, signature] = m as unknown as [string, string, string, string]
      if (!equal(mac(sessionKey, body), signature)) return null
      const expiresAt = Number(expiry)
      return expiresAt > now ? expiresAt : null
    },
    csrfFor (value) {
      return mac(csrfKey, value)
    },
    checkCsrf (value, given) {
      return given !== undefined && equal(mac(csrfKey, value), given)
    }
  }
}

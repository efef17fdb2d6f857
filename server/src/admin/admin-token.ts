import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a bearer header with the admin token in constant time. Both sides are hashed first so
 * that neither the length nor a common prefix of a guess leaks through timing.
 */
export function createAdminCheck (token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest()
  return (authorization) => {
    const m = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    const given = createHash('sha256').update(m?.[1] ?? '').digest()
    return timingSafeEqual(expected, given) && m !== null
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_TOLERANCE_SECONDS = 300
const SIGNATURE_RE = /^v1=([0-9a-f]{64})$/

/** HMAC-SHA256 over `TIMESTAMP.RAW_BODY`, as lowercase hex with the `v1=` prefix. */
export function sign (secret: string, timestamp: string | number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret)
  mac.update(`${timestamp}.`)
  mac.update(rawBody)
  return `v1=${mac.digest('hex')}`
}

export type TimestampCheck = 'ok' | 'missing' | 'stale'

export function checkTimestamp (header: string | undefined, nowMs: number): TimestampCheck {
  if (header === undefined || !/^\d{1,12}$/.test(header)) return 'missing'
  const skew = Math.abs(nowMs / 1000 - Number(header))
  return skew > SIGNATURE_TOLERANCE_SECONDS ? 'stale' : 'ok'
}

/**
 * True when the signature matches one of the secrets. Every candidate is compared, in constant
 * time, so the answer's timing says nothing about which secret (if any) came close.
 */
export function verifySignature (
  secrets: readonly string[], timestamp: string, rawBody: Buffer, header: string | undefined
): boolean {
  const m = header === undefined ? null : SIGNATURE_RE.exec(header)
  if (m === null) return false
  const given = Buffer.from(m[1] as string, 'hex')
  let ok = false
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, timestamp, rawBody).slice(3), 'hex')
    if (timingSafeEqual(expected, given)) ok = true
  }
  return ok
}

import { createHmac } from 'node:crypto'

/**
 * The receiver verifies the exact bytes on the wire, so the body signed here must be the
 * compressed buffer when gzip is on, never the JSON it came from.
 */
export function sign (secret: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret)
  mac.update(`${timestamp}.`)
  mac.update(body)
  return 'v1=' + mac.digest('hex')
}

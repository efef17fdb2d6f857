import { createHmac } from 'node:crypto'

/** Headers for a signed POST /api/log, computed independently of the server's own code. */
export function signedHeaders (key: string, secret: string, body: Buffer | string, opts: { timestamp?: number, gzip?: boolean } = {}): Record<string, string> {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000))
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-tekno-key': key,
    'x-tekno-timestamp': timestamp,
    'x-tekno-signature': `v1=${signature}`
  }
  if (opts.gzip === true) headers['content-encoding'] = 'gzip'
  return headers
}

import { createHash } from 'node:crypto'

/** SHA-1 hex of `message \n source \n stack`, missing parts as empty strings (CONTRACT.md). */
export function fingerprint (message: string, source?: string | null, stack?: string | null): string {
  return createHash('sha1').update(`${message}\n${source ?? ''}\n${stack ?? ''}`).digest('hex')
}

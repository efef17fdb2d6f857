import { randomBytes } from 'node:crypto'

/** Public project key: safe to ship inside an app bundle. */
export function newProjectKey (): string {
  return `tkp_${randomBytes(16).toString('hex')}`
}

/** Signing secret: 256 bits, shown once at creation or rotation. */
export function newProjectSecret (): string {
  return `tks_${randomBytes(32).toString('base64url')}`
}

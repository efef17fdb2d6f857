// Every error code the receiver answers with, defined once. docs/errors.md lists the same table
// and test/server/errors-documented.test.ts keeps the two in step.

export interface ErrorDefinition {
  status: number
  message: string
}

export const ERRORS = {
  TEKNO_ERR_BAD_JSON: { status: 400, message: 'The body is not valid JSON' },
  TEKNO_ERR_BAD_ENCODING: { status: 400, message: 'The body is not valid UTF-8' },
  TEKNO_ERR_HOSTILE_INPUT: { status: 400, message: 'The body contains forbidden keys or nests too deeply' },
  TEKNO_ERR_VALIDATION: { status: 400, message: 'The request does not have the expected shape' },
  TEKNO_ERR_BAD_REQUEST: { status: 400, message: 'The HTTP request is malformed' },
  TEKNO_ERR_BAD_QUERY: { status: 400, message: 'A query parameter is invalid' },
  TEKNO_ERR_MISSING_KEY: { status: 401, message: 'The X-Tekno-Key header is missing' },
  TEKNO_ERR_UNKNOWN_KEY: { status: 401, message: 'No project has this key' },
  TEKNO_ERR_BAD_SIGNATURE: { status: 401, message: 'The signature does not match the body' },
  TEKNO_ERR_STALE_TIMESTAMP: { status: 401, message: 'X-Tekno-Timestamp is missing or more than 300 seconds from the server clock' },
  TEKNO_ERR_UNAUTHORIZED: { status: 401, message: 'A valid admin bearer token is required' },
  TEKNO_ERR_CSRF: { status: 403, message: 'A dashboard request needs its CSRF token and must come from the dashboard\'s own origin' },
  TEKNO_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  TEKNO_ERR_ALERT_NO_WEBHOOK: { status: 409, message: 'The project has no Discord webhook URL in its alert settings' },
  TEKNO_ERR_BODY_TOO_LARGE: { status: 413, message: 'The body is larger than 512 KiB' },
  TEKNO_ERR_TOO_MANY_EVENTS: { status: 413, message: 'A batch holds at most 250 events' },
  TEKNO_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Only application/json bodies, optionally gzip-encoded, are accepted' },
  TEKNO_ERR_RATE_LIMITED: { status: 429, message: 'Rate limit exceeded' },
  TEKNO_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'Storage is unavailable; retry later' },
  TEKNO_ERR_TIMEOUT: { status: 408, message: 'The request took too long to arrive' },
  TEKNO_ERR_INTERNAL: { status: 500, message: 'Internal error' }
} as const satisfies Record<string, ErrorDefinition>

export type ErrorCode = keyof typeof ERRORS

export class TeknoError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly extra: Record<string, unknown>

  constructor (code: ErrorCode, message?: string, extra: Record<string, unknown> = {}) {
    super(message ?? ERRORS[code].message)
    this.name = 'TeknoError'
    this.code = code
    this.statusCode = ERRORS[code].status
    this.extra = extra
  }

  toJSON (): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.extra }
  }
}

/** Storage failures are wrapped so routes can answer 503 without knowing the driver. */
export class StorageUnavailableError extends Error {
  readonly code = 'TEKNO_ERR_STORAGE_UNAVAILABLE'
  constructor (cause: unknown) {
    super(`storage unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'StorageUnavailableError'
  }
}

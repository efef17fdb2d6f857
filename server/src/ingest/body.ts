import { isUtf8 } from 'node:buffer'
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import sjson from 'secure-json-parse'
import { TeknoError } from '../errors.js'

export const MAX_BODY_BYTES = 512 * 1024
export const MAX_DEPTH = 32

const gunzipAsync = promisify(gunzip)

/**
 * Turns the raw wire bytes into a JSON value, refusing anything that would cost us more than it
 * is worth: a gzip bomb stops at the inflate cap instead of filling memory, invalid UTF-8 never
 * reaches the database, prototype keys never reach an object, and nesting is capped.
 */
export async function decodeBody (raw: Buffer, encoding: string | undefined): Promise<unknown> {
  let bytes = raw
  if (encoding === 'gzip') {
    try {
      bytes = await gunzipAsync(raw, { maxOutputLength: MAX_BODY_BYTES })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new TeknoError('TEKNO_ERR_BODY_TOO_LARGE', 'The body is larger than 512 KiB after decompression')
      }
      throw new TeknoError('TEKNO_ERR_BAD_JSON', 'The body is not valid gzip')
    }
  }
  if (!isUtf8(bytes)) throw new TeknoError('TEKNO_ERR_BAD_ENCODING')
  let value: unknown
  try {
    value = sjson.parse(bytes.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (err) {
    // secure-json-parse reports a prototype key as a SyntaxError too; only its message tells them apart.
    if (err instanceof SyntaxError && !/forbidden prototype property/.test(err.message)) throw new TeknoError('TEKNO_ERR_BAD_JSON', `The body is not valid JSON: ${err.message}`)
    throw new TeknoError('TEKNO_ERR_HOSTILE_INPUT', 'The body contains a __proto__ or constructor.prototype key')
  }
  if (depthExceeds(value, MAX_DEPTH)) {
    throw new TeknoError('TEKNO_ERR_HOSTILE_INPUT', `The body nests deeper than ${MAX_DEPTH} levels`)
  }
  return value
}

/** Iterative, so a hostile body cannot overflow our stack while we measure it. */
export function depthExceeds (root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number]
    if (value === null || typeof value !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}

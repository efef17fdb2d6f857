import { isUtf8 } from 'node:buffer'
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { TeknoError } from '../errors.js'
import { parseBatchJson } from './batch-json.js'

export const MAX_BODY_BYTES = 512 * 1024
export const MAX_DEPTH = 32

const gunzipAsync = promisify(gunzip)

/**
 * Turns the raw wire bytes into a JSON value, refusing anything that would cost us more than it
 * is worth: a gzip bomb stops at the inflate cap instead of filling memory, invalid UTF-8 never
 * reaches the database, prototype keys are refused, and nesting is capped.
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
  const value = parseBatchJson(bytes) ?? parseWhole(bytes)
  const hostile = hostileShape(value, MAX_DEPTH)
  if (hostile === 'prototype') throw new TeknoError('TEKNO_ERR_HOSTILE_INPUT', 'The body contains a __proto__ or constructor.prototype key')
  if (hostile === 'depth') throw new TeknoError('TEKNO_ERR_HOSTILE_INPUT', `The body nests deeper than ${MAX_DEPTH} levels`)
  return value
}

/** The whole body as one string: any shape parseBatchJson does not take, and every malformed one. */
function parseWhole (bytes: Buffer): unknown {
  let text = bytes.toString('utf8')
  if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1)
  try {
    return JSON.parse(text)
  } catch (err) {
    // Anything but a SyntaxError is V8 giving up on the nesting (a RangeError): hostile, not malformed.
    if (err instanceof SyntaxError) throw new TeknoError('TEKNO_ERR_BAD_JSON', `The body is not valid JSON: ${err.message}`)
    throw new TeknoError('TEKNO_ERR_HOSTILE_INPUT', `The body nests deeper than ${MAX_DEPTH} levels`)
  }
}

const hasOwn = Object.prototype.hasOwnProperty

/**
 * One walk over the parsed value for both refusals: a key that could reach a prototype
 * (`__proto__`, or `constructor` holding an object with a `prototype`: the keys
 * secure-json-parse refuses, however the JSON text spelt them) and nesting deeper than `max`.
 * Why not secure-json-parse: to know whether to walk at all, it runs two regexes over the whole
 * text, which cost more on a 300 KB batch than this walk, and the depth needs a walk anyway.
 * Iterative, so a hostile body cannot overflow our stack while we measure it.
 */
export function hostileShape (root: unknown, max: number): 'prototype' | 'depth' | null {
  const stack: Array<[object, number]> = []
  if (root !== null && typeof root === 'object') stack.push([root, 1])
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [object, number]
    if (depth > max) return 'depth'
    if (Array.isArray(node)) {
      for (const child of node) {
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
      }
      continue
    }
    if (hasOwn.call(node, '__proto__')) return 'prototype'
    const record = node as Record<string, unknown>
    if (hasOwn.call(node, 'constructor')) {
      const ctor = record.constructor
      if (ctor !== null && typeof ctor === 'object' && hasOwn.call(ctor, 'prototype')) return 'prototype'
    }
    for (const key in record) {
      const child = record[key]
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return null
}

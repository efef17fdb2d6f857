import type { z } from 'zod'
import { TeknoError } from './errors.js'

/**
 * Parses a request body or query string with a zod schema, or throws the 400 that names the
 * first bad field: one shape of refusal for every admin, search and stats input.
 */
export function parseInput<T> (schema: z.ZodType<T>, value: unknown, kind: 'body' | 'query'): T {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0] as z.core.$ZodIssue
  if (kind === 'query') {
    // A query parameter is named by itself, not by its position inside a parsed list.
    const field = String(issue.path[0] ?? 'query')
    throw new TeknoError('TEKNO_ERR_BAD_QUERY', `${field}: ${issue.message}`, { field })
  }
  const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'body')
  throw new TeknoError('TEKNO_ERR_VALIDATION', `${field}: ${issue.message}`, { field })
}

import { z } from 'zod'
import { TeknoError } from '../errors.js'
import type { ProjectPatch } from '../storage/store.js'
import { parseInput } from '../parse-input.js'

const name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters')
const retention = z.number().int().min(24, 'must be between 24 and 72').max(72, 'must be between 24 and 72')
const limit = z.number().int().min(0).max(100_000_000).nullable()

const sampleRate = z.number().min(0).max(1)
const levelName = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
const clientConfig = z.object({
  min_level: levelName.optional(),
  sample_rates: z.partialRecord(levelName, sampleRate).optional(),
  batch_max_events: z.number().int().min(1).max(250).optional(),
  batch_max_bytes: z.number().int().min(1024).max(512 * 1024).optional(),
  flush_interval_ms: z.number().int().min(50).max(60_000).optional()
}).strict().nullable()

const createSchema = z.object({
  name,
  retention_hours: retention.optional(),
  rate_limit_events_per_minute: limit.optional(),
  rate_limit_ip_requests_per_minute: limit.optional(),
  client_config: clientConfig.optional()
})

const patchSchema = createSchema.partial().strict()

const rotateSchema = z.object({
  grace_hours: z.number().min(0).max(168).optional()
}).strict()

export const parseNewProject = (body: unknown) => parseInput(createSchema, body, 'body')
export const parseProjectPatch = (body: unknown): ProjectPatch => parseInput(patchSchema, body, 'body')
export const parseRotation = (body: unknown) => parseInput(rotateSchema, body, 'body')

export function parseProjectId (raw: string): number {
  if (!/^\d{1,10}$/.test(raw)) throw new TeknoError('TEKNO_ERR_NOT_FOUND', 'No project with this id')
  return Number(raw)
}

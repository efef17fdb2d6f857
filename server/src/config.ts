import { randomBytes } from 'node:crypto'
import { z } from 'zod'

// The only file that reads process.env. Every variable is validated at once so a bad deploy
// fails with one line per problem instead of one restart per problem.

const intFrom = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`)

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: intFrom(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().refine((v) => /^mysql:\/\/.+/.test(v) || /^sqlite:.+/.test(v),
    'must be mysql://user:pass@host:port/db or sqlite:PATH').default('sqlite:./data/tekno.sqlite'),
  ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  RETENTION_HOURS: intFrom(24, 72).default(48),
  RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: intFrom(0, 100_000_000).default(60_000),
  RATE_LIMIT_IP_REQUESTS_PER_MINUTE: intFrom(0, 100_000_000).default(1_200),
  TRUST_PROXY: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  REQUEST_TIMEOUT_MS: intFrom(1_000, 600_000).default(30_000),
  MAINTENANCE_INTERVAL_MINUTES: intFrom(1, 1440).default(5),
  MAINTENANCE_LEASE_SECONDS: intFrom(10, 3600).default(120),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info')
})

export interface Config {
  production: boolean
  port: number
  host: string
  databaseUrl: string
  adminToken: string
  adminTokenGenerated: boolean
  publicUrl: string
  retentionHours: number
  rateLimitProjectEventsPerMinute: number
  rateLimitIpRequestsPerMinute: number
  trustProxy: boolean
  requestTimeoutMs: number
  maintenanceIntervalMs: number
  maintenanceLeaseMs: number
  logLevel: string
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings are how most platforms express "unset"; treat them so.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  const problems: string[] = []
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${String(issue.path[0])}: ${issue.message}`)
    }
  }
  const production = cleaned.NODE_ENV === 'production'
  if (production && cleaned.ADMIN_TOKEN === undefined) {
    problems.push('ADMIN_TOKEN: required when NODE_ENV=production (at least 32 characters)')
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems)

  const e = parsed.data
  const generated = e.ADMIN_TOKEN === undefined
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    adminToken: e.ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    adminTokenGenerated: generated,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    retentionHours: e.RETENTION_HOURS,
    rateLimitProjectEventsPerMinute: e.RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE,
    rateLimitIpRequestsPerMinute: e.RATE_LIMIT_IP_REQUESTS_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    maintenanceIntervalMs: e.MAINTENANCE_INTERVAL_MINUTES * 60_000,
    maintenanceLeaseMs: e.MAINTENANCE_LEASE_SECONDS * 1000,
    logLevel: e.LOG_LEVEL
  }
}

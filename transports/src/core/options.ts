import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isLevelName, type LevelName } from './levels.js'

/** The receiver refuses more than this; our own limits are clamped under it. */
export const RECEIVER_MAX_EVENTS = 250
export const RECEIVER_MAX_BYTES = 512 * 1024
/** Room for the batch envelope and a dropped-count notice so a full batch never crosses the limit. */
const ENVELOPE_HEADROOM = 4096

export interface FailoverOptions {
  /** 5xx or network failures in a row before the primary is tripped. */
  failureThreshold?: number
  /** Successful primary requests in a row, while probing, before switching back. */
  successesToRecover?: number
  /** First pause after a 5xx/network trip; doubles on each failed probe. */
  backoffMs?: number
  backoffMaxMs?: number
  /** Pause after a 429 without Retry-After. */
  rateLimitMs?: number
  /** Pause after 402 or a quota 403/413: quota rarely comes back within minutes. */
  quotaMs?: number
  /** Lines kept for replay in case the primary dropped them. */
  ringSize?: number
  /** Origins (scheme://host:port) whose HTTP answers are the primary's; inferred when absent. */
  origins?: string[]
}

export interface TeknoOptions {
  /** The receiver's base URL; `/api/log` is added. */
  url: string
  key: string
  secret: string
  /** Event `source`; defaults to pino's `name` or winston's `label`. */
  source?: string
  minLevel?: LevelName
  batchMaxEvents?: number
  batchMaxBytes?: number
  flushIntervalMs?: number
  gzip?: boolean
  timeoutMs?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  maxBufferBytes?: number
  maxEventBytes?: number
  /** Directory of the spool file, or false to keep nothing on disk. */
  spoolDir?: string | false
  spoolMaxBytes?: number
  /** How long close() may spend sending before the rest goes to the spool. */
  closeTimeoutMs?: number
  /** Ask the receiver's GET /config for minimum level and sampling. */
  remoteConfig?: boolean
  failover?: FailoverOptions
}

/** In-process only: functions cannot cross into pino's worker. */
export interface Injected {
  fetch?: typeof globalThis.fetch
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  onWarning?: (warning: TeknoWarning) => void
}

export interface TeknoWarning {
  kind: string
  message: string
  count: number
}

export interface Resolved {
  endpoint: string
  configUrl: string
  key: string
  secret: string
  source: string | undefined
  minLevel: LevelName
  batchMaxEvents: number
  batchMaxBytes: number
  flushIntervalMs: number
  gzip: boolean
  timeoutMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  maxBufferBytes: number
  maxEventBytes: number
  spoolDir: string | false
  spoolMaxBytes: number
  closeTimeoutMs: number
  remoteConfig: boolean
  failover: Required<Omit<FailoverOptions, 'origins'>> & { origins: string[] | undefined }
  fetch: typeof globalThis.fetch
  now: () => number
  sleep: (ms: number) => Promise<void>
  random: () => number
  onWarning: ((warning: TeknoWarning) => void) | undefined
}

function positive (name: string, value: number | undefined, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`tekno-logger: option ${name} must be a positive number`)
  return Math.min(value, max)
}

function sleep (ms: number): Promise<void> {
  // unref: a pending retry must never be what keeps a finished app alive
  return new Promise((resolve) => { setTimeout(resolve, ms).unref() })
}

export function resolveOptions (options: TeknoOptions & Injected): Resolved {
  if (options == null || typeof options !== 'object') throw new TypeError('tekno-logger: options { url, key, secret } are required')
  for (const name of ['url', 'key', 'secret'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') throw new TypeError(`tekno-logger: option ${name} is required`)
  }
  const base = new URL(options.url)
  const prefix = base.pathname.replace(/\/+$/, '')
  if (options.minLevel !== undefined && !isLevelName(options.minLevel)) throw new TypeError('tekno-logger: option minLevel must be a level name')
  const failover = options.failover ?? {}
  return {
    endpoint: new URL(prefix + '/api/log', base).href,
    configUrl: new URL(prefix + '/config', base).href,
    key: options.key,
    secret: options.secret,
    source: options.source,
    minLevel: options.minLevel ?? 'trace',
    batchMaxEvents: Math.floor(positive('batchMaxEvents', options.batchMaxEvents, 200, RECEIVER_MAX_EVENTS)),
    batchMaxBytes: positive('batchMaxBytes', options.batchMaxBytes, 300 * 1024, RECEIVER_MAX_BYTES - ENVELOPE_HEADROOM),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, 1000),
    gzip: options.gzip ?? true,
    timeoutMs: positive('timeoutMs', options.timeoutMs, 10_000),
    backoffBaseMs: positive('backoffBaseMs', options.backoffBaseMs, 500),
    backoffMaxMs: positive('backoffMaxMs', options.backoffMaxMs, 30_000),
    maxBufferBytes: positive('maxBufferBytes', options.maxBufferBytes, 8 * 1024 * 1024),
    maxEventBytes: positive('maxEventBytes', options.maxEventBytes, 64 * 1024, 256 * 1024),
    spoolDir: options.spoolDir === false ? false : (options.spoolDir ?? join(tmpdir(), 'tekno-logger')),
    spoolMaxBytes: positive('spoolMaxBytes', options.spoolMaxBytes, 64 * 1024 * 1024),
    closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, 8000),
    remoteConfig: options.remoteConfig ?? false,
    failover: {
      failureThreshold: Math.floor(positive('failover.failureThreshold', failover.failureThreshold, 3)),
      successesToRecover: Math.floor(positive('failover.successesToRecover', failover.successesToRecover, 2)),
      backoffMs: positive('failover.backoffMs', failover.backoffMs, 5000),
      backoffMaxMs: positive('failover.backoffMaxMs', failover.backoffMaxMs, 5 * 60_000),
      rateLimitMs: positive('failover.rateLimitMs', failover.rateLimitMs, 30_000),
      quotaMs: positive('failover.quotaMs', failover.quotaMs, 15 * 60_000),
      ringSize: Math.floor(positive('failover.ringSize', failover.ringSize, 5000)),
      origins: failover.origins
    },
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? sleep,
    random: options.random ?? Math.random,
    onWarning: options.onWarning
  }
}

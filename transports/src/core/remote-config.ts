import { isLevelName, levelFromPino, levelRank } from './levels.js'
import type { Resolved } from './options.js'
import type { Reporter } from './reporter.js'

/** Shared with the shipper and changed in place, so the answer applies from the next event on. */
export interface Sampling {
  minRank: number
  rate: number
}

function readRate (body: Record<string, unknown>): number | undefined {
  const sampling = body.sampling
  const raw = typeof sampling === 'object' && sampling !== null ? (sampling as Record<string, unknown>).rate : (sampling ?? body.sample_rate)
  const rate = Number(raw)
  return raw === undefined || raw === null || !(rate >= 0 && rate <= 1) ? undefined : rate
}

/**
 * Asks GET /config once. The local minLevel stays a floor: the receiver may only ask for less
 * noise, never for levels the app chose not to send. Events logged before the answer pass as if
 * there were no remote config, which errs on the side of keeping them.
 */
export function applyRemoteConfig (options: Resolved, sampling: Sampling, reporter: Reporter): void {
  const fetched = options.fetch(options.configUrl, { headers: { 'x-tekno-key': options.key }, signal: AbortSignal.timeout(options.timeoutMs) })
    .then(async (response) => {
      if (!response.ok) throw new Error(`GET /config answered ${response.status}`)
      const body = await response.json() as Record<string, unknown>
      const level = body.min_level ?? body.minLevel
      if (level !== undefined && level !== null) {
        const rank = levelRank(isLevelName(level) ? level : levelFromPino(level))
        sampling.minRank = Math.max(sampling.minRank, rank)
      }
      const rate = readRate(body)
      if (rate !== undefined) sampling.rate = rate
    })
  fetched.catch((err: Error) => reporter.warn('remote-config', `could not read the receiver's client config, using local options: ${err.message}`))
}

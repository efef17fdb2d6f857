import { isLevelName, levelFromPino, levelRank } from './levels.js'
import type { Resolved } from './options.js'
import type { Reporter } from './reporter.js'

/** Shared with the shipper and changed in place, so the answer applies from the next event on. */
export interface Sampling {
  minRank: number
  /** Keep-probability by level rank (trace 0 … fatal 5); warn and above are never sampled. */
  rates: number[]
}

export const SAMPLED_BELOW_RANK = 3

/** The receiver's `sample_rates` ({"debug": 0.1, …}); anything unreadable keeps everything. */
function readRates (body: Record<string, unknown>): Map<number, number> {
  const rates = new Map<number, number>()
  const raw = body.sample_rates
  if (typeof raw !== 'object' || raw === null) return rates
  for (const [name, value] of Object.entries(raw)) {
    const rate = Number(value)
    if (isLevelName(name) && levelRank(name) < SAMPLED_BELOW_RANK && rate >= 0 && rate <= 1) rates.set(levelRank(name), rate)
  }
  return rates
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
      for (const [rank, rate] of readRates(body)) sampling.rates[rank] = rate
    })
  fetched.catch((err: Error) => reporter.warn('remote-config', `could not read the receiver's client config, using local options: ${err.message}`))
}

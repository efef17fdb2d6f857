import autocannon from 'autocannon'
import { PrefixSigner } from './signing.js'
import { batchTemplate, freshTemplate } from './seed-batch.js'
import { summarize } from './stats.js'

let sequence = 0

export function ingestUrl (base) {
  return `${base.replace(/\/+$/, '')}/api/log`
}

/** How far apart the timestamps of two pre-built batches are: about one client's pace here. */
export const PREBUILT_SPACING_MS = 10
/**
 * Requests pre-built at most. Each holds about 0.6 MB until the run ends (its body, and
 * autocannon's copy with the headers), and its signature was made before the run: 500 at the
 * 300 ms goal take 150 s, inside the receiver's 300 s window. Longer runs build as they go.
 */
export const PREBUILT_MAX_REQUESTS = 500

/** Whether a load sends pre-built requests: one client, a fixed number of them, unpaced (see hammer). */
export function sendsPrebuilt ({ connections = 1, amount, rate, untilStopped = false }) {
  return connections === 1 && amount !== undefined && amount <= PREBUILT_MAX_REQUESTS && rate === undefined && !untilStopped
}

/**
 * `amount` signed requests, built now, for autocannon to send in order: each with its own batch id
 * and its own timestamps, `spacingMs` later than the one before, so the batches follow one another
 * in time as a live transport's do (see freshTemplate). Sending them allocates nothing.
 */
export function prebuiltRequests ({ key, secret, template, amount, path, runId = 'run', now = Date.now(), spacingMs = PREBUILT_SPACING_MS }) {
  return Array.from({ length: amount }, (_, i) => {
    const t = template.options === undefined ? template : batchTemplate({ ...template.options, now: now + i * spacingMs })
    return { method: 'POST', path, ...nextBatch(new PrefixSigner(key, secret, t.prefix), t.prefix, runId) }
  })
}

/** Headers and body for the next batch id of this process: `prefix` is the template's, `signer` signs over it. */
function nextBatch (signer, prefix, runId) {
  const suffix = Buffer.from(`${runId}-${process.pid}-${sequence++}"}`)
  return { headers: signer.headersFor(suffix), body: Buffer.concat([prefix, suffix]) }
}

/**
 * Sends signed batches built from `template` with autocannon: every request has its own batch id
 * (a repeated id would be acknowledged without being stored). Latencies are kept raw, for
 * sub-millisecond percentiles. Stops after `seconds`, after `amount` requests, or on `stop()`.
 *
 * One client sending a fixed number of requests unpaced (the single-client latency runs), up to
 * PREBUILT_MAX_REQUESTS, sends them pre-built. Built one at a time, each request allocates its
 * 300 KB body twice (ours, and autocannon's copy with the headers), and the full collections that
 * follow pause this process while a request is in flight: the parse-only route's p99 was
 * 5.4-11.2 ms that way against 3.4-5.3 ms pre-built (runs alternated, 2-core EPYC VM). Paced or
 * timed loads, and several connections (each autocannon client would send the same list), build
 * each request as it goes.
 */
export function hammer ({ url, key, secret, template, connections = 1, seconds, amount, rate, runId = 'run', label = '', onProgress, untilStopped = false }) {
  const target = new URL(ingestUrl(url))
  let current = template
  let signer = new PrefixSigner(key, secret, current.prefix)
  const prebuilt = sendsPrebuilt({ connections, amount, rate, untilStopped })
  const latencies = []
  const completedAt = []
  let ok = 0
  let bodyBytes = 0
  const statusCodes = {}
  const opts = {
    url: target.origin,
    connections,
    timeout: 30,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: prebuilt ? prebuiltRequests({ key, secret, template, amount, path: target.pathname, runId }) : [{
      method: 'POST',
      path: target.pathname,
      setupRequest (req) {
        const next = freshTemplate(current)
        if (next !== current) {
          current = next
          signer = new PrefixSigner(key, secret, current.prefix)
        }
        return Object.assign(req, nextBatch(signer, current.prefix, runId))
      }
    }]
  }
  const instance = autocannon(opts)
  // Stopping early aborts the requests in flight; those are ours, not the receiver's errors.
  let stopped = false
  let socketErrors = 0
  instance.on('reqError', () => { if (!stopped) socketErrors++ })
  instance.on('response', (_client, statusCode, _resBytes, responseTime) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1
    if (statusCode >= 200 && statusCode < 300) {
      ok++
      bodyBytes += current.prefix.length + 40
      latencies.push(responseTime)
      completedAt.push(performance.now())
    }
  })
  const t0 = performance.now()
  const ticker = onProgress === undefined
    ? null
    : setInterval(() => {
      const s = (performance.now() - t0) / 1000
      const of = untilStopped ? `${s.toFixed(0)} s` : amount === undefined ? `${s.toFixed(0)}/${seconds} s` : `${ok}/${amount} requests`
      onProgress(`${label} ${of}, ${Math.round(ok / s)} batches/s`)
    }, 500)
  const done = new Promise((resolve, reject) => {
    instance.on('done', resolve)
    instance.on('error', reject)
  }).then((result) => {
    if (ticker !== null) clearInterval(ticker)
    const elapsed = (performance.now() - t0) / 1000
    const s = amount === undefined && result.duration > 0 ? result.duration : elapsed
    const out = {
      connections,
      seconds: s,
      requests: Object.values(statusCodes).reduce((a, b) => a + b, 0),
      ok,
      non2xx: result.non2xx,
      /** Socket errors and timeouts before any stop(). */
      errors: socketErrors,
      timeouts: result.timeouts,
      statusCodes,
      latency: summarize(latencies),
      batchesPerSecond: ok / s,
      eventsPerSecond: ok * template.count / s,
      bytesPerSecond: bodyBytes / s,
      /** Latencies of the answers that completed between two performance.now() marks. */
      window (from, to) {
        return summarize(latencies.filter((_, i) => completedAt[i] >= from && completedAt[i] <= to))
      }
    }
    // The raw latencies, to put two loads' percentiles together; not part of any results file.
    Object.defineProperty(out, 'samples', { value: latencies, enumerable: false })
    return out
  })
  return { done, stop: () => { stopped = true; instance.stop() } }
}

export function runLoad (options) {
  return hammer(options).done
}

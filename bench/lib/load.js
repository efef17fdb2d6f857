import autocannon from 'autocannon'
import { PrefixSigner } from './signing.js'
import { freshTemplate } from './seed-batch.js'
import { summarize } from './stats.js'

let sequence = 0

export function ingestUrl (base) {
  return `${base.replace(/\/+$/, '')}/api/log`
}

/**
 * Sends signed batches built from `template` with autocannon: every request has its own batch id
 * (a repeated id would be acknowledged without being stored). Latencies are kept raw, for
 * sub-millisecond percentiles. Stops after `seconds`, after `amount` requests, or on `stop()`.
 */
export function hammer ({ url, key, secret, template, connections = 1, seconds, amount, rate, runId = 'run', label = '', onProgress, untilStopped = false }) {
  const target = new URL(ingestUrl(url))
  let current = template
  let signer = new PrefixSigner(key, secret, current.prefix)
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
    requests: [{
      method: 'POST',
      path: target.pathname,
      setupRequest (req) {
        const next = freshTemplate(current)
        if (next !== current) {
          current = next
          signer = new PrefixSigner(key, secret, current.prefix)
        }
        const suffix = Buffer.from(`${runId}-${process.pid}-${sequence++}"}`)
        req.headers = signer.headersFor(suffix)
        req.body = Buffer.concat([current.prefix, suffix])
        return req
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

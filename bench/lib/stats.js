// Percentiles from raw samples (autocannon's own histogram rounds to whole milliseconds, too
// coarse for a 10 ms target), and the small formatting helpers every table shares.

export function percentile (sorted, p) {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

export function summarize (samples) {
  const sorted = Float64Array.from(samples).sort()
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? null : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]
  }
}

export function ratio (a, b) {
  if (a == null || b == null || b === 0) return null
  return a / b
}

export function fmtMs (v) {
  if (v == null) return '–'
  return v < 10 ? `${v.toFixed(2)} ms` : v < 100 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`
}

export function fmtNum (v, digits = 0) {
  if (v == null) return '–'
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

export function fmtRatio (v) {
  return v == null ? '–' : `${v.toFixed(2)}×`
}

export function fmtMB (bytes) {
  return bytes == null ? '–' : `${(bytes / 1e6).toFixed(1)} MB`
}

/** CPU milliseconds the process spent per accepted batch: unlike latency, this barely moves when other work shares the cores. */
export function cpuMsPerBatch (r) {
  if (r.cpuPercent === undefined || !r.ok) return null
  return (r.cpuPercent / 100) * r.seconds * 1000 / r.ok
}

import { BACKEND_LABEL } from './options.js'
import { fmtMs } from './stats.js'

const WIDTH = 48

/**
 * Latency against batch size as a text chart that renders anywhere markdown does: per batch
 * size, one bar per target, solid up to p50 and shaded from p50 to p99, on one linear scale.
 */
export function latencyChart (sizes) {
  const targets = Object.keys(sizes)
  if (targets.length === 0) return ''
  const max = Math.max(...targets.flatMap((t) => sizes[t].map((s) => s.latency.p99 ?? 0)), 0.001)
  const cells = (ms) => Math.max(0, Math.round((ms / max) * WIDTH))
  const labelWidth = Math.max(...targets.map((t) => BACKEND_LABEL[t].length))
  const lines = [`p50 █ … p99 ░   (full width = ${fmtMs(max)})`, '']
  for (let i = 0; i < sizes[targets[0]].length; i++) {
    const n = sizes[targets[0]][i].events
    targets.forEach((t, j) => {
      const { p50, p99 } = sizes[t][i].latency
      const solid = cells(p50 ?? 0)
      const shade = Math.max(0, cells(p99 ?? 0) - solid)
      const head = j === 0 ? `${String(n).padStart(3)} events` : ' '.repeat(10)
      lines.push(`${head}  ${BACKEND_LABEL[t].padEnd(labelWidth)} ${'█'.repeat(solid)}${'░'.repeat(shade)} ${fmtMs(p50)} / ${fmtMs(p99)}`)
    })
    lines.push('')
  }
  return lines.join('\n').trimEnd()
}

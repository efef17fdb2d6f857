import uPlot from '/vendor/uplot/uPlot.esm.js'
import { h } from './dom.js'

// Events per minute, stacked by level. uPlot has no stacking of its own: each series is drawn
// as the running total from the bottom, tallest first, so each level shows as its own band.
// Errors sit at the bottom, where an overflow of them is seen first.
const STACK = ['fatal', 'error', 'warn', 'info', 'debug', 'trace']

function cssVar (name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
}

function build (minutes) {
  const xs = minutes.map((m) => new Date(m.ts).getTime() / 1000)
  const raw = {}
  const cumulative = {}
  let running = minutes.map(() => 0)
  for (const level of STACK) {
    raw[level] = minutes.map((m) => m[level])
    running = running.map((sum, i) => sum + raw[level][i])
    cumulative[level] = running
  }
  const drawOrder = [...STACK].reverse()
  return { data: [xs, ...drawOrder.map((l) => cumulative[l])], raw, drawOrder }
}

export function renderLevelChart (container, minutes, signal) {
  const { data, raw, drawOrder } = build(minutes)
  const bars = uPlot.paths.bars({ size: [0.86, 24], gap: 1 })
  const axis = () => ({
    stroke: cssVar('--muted'),
    grid: { stroke: cssVar('--grid'), width: 1 },
    ticks: { stroke: cssVar('--grid'), width: 1 }
  })
  const options = {
    width: Math.max(280, container.clientWidth),
    height: container.clientWidth < 560 ? 180 : 240,
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    legend: { live: true },
    // Half a minute either side, so the first and the current minute's bars are drawn whole.
    scales: { x: { time: true, range: (_u, min, max) => [min - 30, max + 30] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [axis(), { ...axis(), size: 48, values: (_u, ticks) => ticks.map((v) => Number.isInteger(v) ? v : '') }],
    series: [
      { label: 'Minute', value: (_u, v) => v == null ? '—' : new Date(v * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) },
      ...drawOrder.map((level) => ({
        label: level,
        fill: cssVar(`--level-${level}`),
        stroke: cssVar(`--level-${level}`),
        width: 0,
        paths: bars,
        points: { show: false },
        // The legend shows the level's own count, not the running total it is drawn at.
        value: (_u, _v, _si, idx) => idx == null ? '—' : raw[level][idx]
      }))
    ]
  }
  const target = h('div', { class: 'chart-canvas', role: 'img', 'aria-label': 'Events per minute over the last hour, stacked by level' })
  container.replaceChildren(target)
  const plot = new uPlot(options, data, target)
  const resize = new ResizeObserver(() => {
    plot.setSize({ width: Math.max(280, container.clientWidth), height: container.clientWidth < 560 ? 180 : 240 })
  })
  resize.observe(container)
  signal.addEventListener('abort', () => { resize.disconnect(); plot.destroy() })
  return plot
}

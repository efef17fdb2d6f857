// A pino transport target for the benchmark only: it loads a real target ('tekno-logger/pino',
// 'pino/file') unchanged, in the same worker, and reports that worker's heap and the stream's
// own stats() to the app thread. pino relays { code: 'EVENT' } messages as events on the
// transport stream, so this needs no hook inside the transports.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { getHeapStatistics } from 'node:v8'
import { parentPort } from 'node:worker_threads'
import { pacedGc } from './paced-gc.js'

const require = createRequire(import.meta.url)

export default async function probe ({ target, options, intervalMs = 50, gcMs = 0 }) {
  // resolved as pino resolves a target: through require, so 'pino/file' finds pino/file.js
  const mod = await import(pathToFileURL(require.resolve(target)).href)
  // a CommonJS module with exports.default (compiled ESM) arrives as default.default
  const build = [mod.default, mod.default?.default, mod].find((f) => typeof f === 'function')
  const stream = await build(options)
  const report = () => {
    const heap = getHeapStatistics()
    parentPort?.postMessage({
      code: 'EVENT',
      name: 'tekno-probe',
      args: [{ heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, stats: typeof stream.stats === 'function' ? stream.stats() : null }]
    })
  }
  report()
  // With node --expose-gc, the heap right after a full collection is what the stream really holds.
  if (gcMs > 0 && typeof globalThis.gc === 'function') {
    pacedGc(gcMs, () => {
      const spooled = typeof stream.stats === 'function' ? stream.stats().spooled : 0
      parentPort?.postMessage({ code: 'EVENT', name: 'tekno-probe-live', args: [getHeapStatistics().used_heap_size, spooled] })
    }, { unref: true })
  }
  // unref: the probe must never be what keeps the worker alive after the stream closed
  setInterval(report, intervalMs).unref()
  return stream
}

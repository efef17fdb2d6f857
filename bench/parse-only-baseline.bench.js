// The HTTP ceiling: a Fastify route that only reads and parses the same body. Other scenarios
// measure it in their own run, next to the receiver; alone, it prints the floor for each load.
import { withTarget } from './lib/context.js'
import { runLoad } from './lib/load.js'
import { batchTemplate } from './lib/seed-batch.js'
import { cpuMsPerBatch, fmtMB, fmtMs, fmtNum } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'

export const id = 'parse-only-baseline'
export const title = 'Parse-only baseline (Fastify, no validation, no storage)'

/** Single-client latency and sustained throughput of the parse-only route, in one process. */
export async function measureParseOnly (ctx, loads) {
  return withTarget(ctx, 'parse-only', null, async (target) => {
    const out = []
    for (const load of loads) {
      const stop = target.monitor()
      const r = await runLoad({ ...target.info, template: load.template ?? batchTemplate(), ...load, runId: ctx.runId,
        label: `parse-only ${load.connections ?? 1} conn`, onProgress: ctx.progress.update })
      out.push({ ...r, ...await stop() })
    }
    return out
  })
}

export async function run (ctx) {
  const { requests, seconds } = ctx.options
  const [single, c10, c50] = await measureParseOnly(ctx, [
    { connections: 1, amount: requests },
    { connections: 10, seconds },
    { connections: 50, seconds }
  ])
  const row = (label, r) => [label, fmtMs(r.latency.p50), fmtMs(r.latency.p99), fmtNum(r.batchesPerSecond),
    fmtNum(r.eventsPerSecond), fmtMB(r.bytesPerSecond), `${Math.round(r.cpuPercent)}%`, fmtMs(cpuMsPerBatch(r))]
  return {
    id,
    title,
    tables: [{
      title: 'Parse-only route, seed batch (200 events, 300 KB)',
      columns: ['load', 'p50', 'p99', 'batches/s', 'events/s', 'MB/s', 'CPU', 'CPU/batch'],
      rows: [row('1 client', single), row('10 connections', c10), row('50 connections', c50)]
    }],
    checks: [],
    data: { single, c10, c50 }
  }
}

if (isMain(import.meta.url)) runAlone(id)

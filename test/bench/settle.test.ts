import { Worker } from 'node:worker_threads'
import t from 'tap'
// @ts-expect-error plain JavaScript module without types
import { waitForQuiet } from '../../bench/lib/settle.js'

// The bench waits for a quiet machine before each target. With both cores kept busy it must not
// call the machine quiet, and must give up at its bound instead of hanging.

t.test('a busy machine is waited for, up to the bound', async (t) => {
  const burn = 'const end = Date.now() + 4000; while (Date.now() < end) {}'
  const workers = [new Worker(burn, { eval: true }), new Worker(burn, { eval: true })]
  t.teardown(() => Promise.all(workers.map((w) => w.terminate())))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const quiet = await waitForQuiet({ maxWaitMs: 1500 }) as { waitedMs: number, busy: number }
  t.ok(quiet.waitedMs >= 1500, `waited ${Math.round(quiet.waitedMs)} ms`)
  t.ok(quiet.busy >= 0.25, `the machine was ${Math.round(quiet.busy * 100)}% busy`)
})

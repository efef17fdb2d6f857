import t from 'tap'
// @ts-expect-error plain JavaScript module without types
import { ceilingRow, mergeCeilings } from '../../bench/storage-ceiling.bench.js'
// @ts-expect-error plain JavaScript module without types
import { renderBenchmarksDoc } from '../../bench/lib/benchmarks-doc.js'

// The storage ceiling is measured before and after the receiver and the two put together, so a
// machine that slows down between them moves both sides of the ratio alike.

function part (seconds: number, batches: number, samples: number[], cpu: Record<string, number | null>) {
  const p = {
    kind: 'sqlite',
    inserters: 1,
    seconds,
    batches,
    ok: batches,
    batchesPerSecond: batches / seconds,
    eventsPerSecond: batches * 200 / seconds,
    bytesPerSecond: batches * 300_000 / seconds,
    latency: {},
    cpuPercent: 100,
    rssPeak: 100 + batches,
    cpu
  }
  Object.defineProperty(p, 'samples', { value: samples, enumerable: false })
  return p
}

t.test('two measurements of a ceiling become one: their batches over their time', async (t) => {
  const fast = part(10, 200, [1, 2, 3], { machineBusyMs: 1000, machineBusyShare: 0.5, stolenShare: 0, databaseMs: null, loadGeneratorMs: 10, targetMs: 900, windowMs: 10_000 })
  const slow = part(10, 100, [4, 5, 6, 100], { machineBusyMs: 600, machineBusyShare: 0.3, stolenShare: 0.2, databaseMs: null, loadGeneratorMs: 20, targetMs: 500, windowMs: 10_000 })
  const both = mergeCeilings([fast, slow])
  t.equal(both.batches, 300)
  t.equal(both.seconds, 20)
  t.equal(both.batchesPerSecond, 15, 'not the mean of 20 and 10 per second weighted any other way')
  t.equal(both.eventsPerSecond, 3000)
  t.equal(both.latency.count, 7, 'latency over every sample of both')
  t.equal(both.latency.max, 100)
  t.equal(both.rssPeak, 300)
  t.same(both.cpu, { machineBusyMs: 1600, machineBusyShare: 0.4, stolenShare: 0.1, databaseMs: null, loadGeneratorMs: 30, targetMs: 1400, windowMs: 20_000 })
  t.same(both.parts.map((p: { batches: number }) => p.batches), [200, 100], 'each measurement is kept')
  t.notMatch(JSON.stringify(fast), /samples/, 'raw samples stay out of the results file')

  const row = ceilingRow(slow, ', after', both)
  t.equal(row[0], 'SQLite store, after')
  t.equal(row.at(-1), '0.67×', 'a part shows its share of the combined ceiling')
  t.equal(ceilingRow(both, ', both').at(-1), '1.00×')
})

t.test('docs/benchmarks.md says how much CPU the hypervisor took', async (t) => {
  const report = (share: number | null) => ({
    date: '2026-11-28T00:00:00.000Z',
    seconds: 60,
    command: 'npm run bench',
    runId: 'tekno-bench-test',
    options: { mysqlUrl: null },
    machine: { cpu: '2 × test', cores: 2, memory: '24 GiB', os: 'Linux', versions: { node: 'v20' }, loadAverageAtStart: [0], loadAverageAtEnd: [0], cpuStolenShare: share },
    results: {}
  })
  const noisy = renderBenchmarksDoc(report(0.12)) as string
  t.match(noisy, /hypervisor gave 12% of its CPU time to other guests/, 'a noisy run is called out')
  t.match(noisy, /\(steal\) over the run \| 12\.0% \|/)
  const quiet = renderBenchmarksDoc(report(0.004)) as string
  t.notMatch(quiet, /hypervisor gave/, 'a quiet one only lists the figure')
  t.match(quiet, /\(steal\) over the run \| 0\.4% \|/)
  t.notMatch(renderBenchmarksDoc(report(null)) as string, /steal/, 'no figure where /proc/stat could not be read')
})

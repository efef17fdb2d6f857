import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

// The harness end to end with a handful of requests: it starts the parse-only route and a real
// receiver in child processes, sends signed seed batches, and writes its JSON. No timing is
// asserted: the figures belong to the machine, the shape of the result to us.

const run = promisify(execFile)

t.test('npm run bench -- --only seed-batch writes a JSON result', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-bench-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // SQLite only: the MariaDB path is the same code with another URL, and this stays short.
  const env = { ...process.env, TEKNO_TEST_MYSQL_URL: '', TEKNO_BENCH_MYSQL_URL: '' }
  const { stdout, stderr } = await run(process.execPath,
    ['bench/run.js', '--only', 'seed-batch', '--quick', '--requests', '5', '--results-dir', dir, '--no-docs'],
    { env, timeout: 120_000 })
  t.match(stdout, /Seed batch/, 'prints the table')

  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  t.equal(files.length, 1, 'one result file')
  const report = JSON.parse(readFileSync(join(dir, files[0] as string), 'utf8'))
  t.ok(report.machine.versions.node, 'records the versions')
  t.ok(report.machine.seedParseMs > 0, 'records how fast one core parses the seed batch')
  t.match(stderr, /seed batch parse \+ SHA-256 [\d.]+ ms/, 'and says so in the progress log')
  const seed = report.results['seed-batch']
  t.notOk(seed.error, 'the scenario ran')
  const targets = seed.data.seed.map((s: { target: string }) => s.target)
  t.same(targets, ['parse-only', 'sqlite'], 'measured the baseline and SQLite')
  for (const s of seed.data.seed) {
    t.equal(s.ok, 5, `${s.target}: every batch was accepted`)
    t.equal(s.latency.count, 5, `${s.target}: a latency for each`)
  }
  t.equal(seed.data.sizes.sqlite.length, 6, 'one point per batch size')
  // The baselines under the receiver's row: the store alone, then the simplest writer.
  for (const baseline of ['storage', 'bare']) {
    t.equal(seed.data.baselines.sqlite[baseline].batches, 5, `${baseline}: as many batches as the receiver got`)
    t.equal(seed.data.baselines.sqlite[baseline].latency.count, 5, `${baseline}: a latency for each`)
  }
  t.match(stdout, /SQLite, storage only .* 5 stored/, 'the table shows the store alone')
  t.match(stdout, /SQLite, bare INSERT .* 5 stored/, 'and the simplest writer')
})

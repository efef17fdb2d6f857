// `npm run bench`: runs the scenarios (one a file, bench/*.bench.js) against 127.0.0.1, prints a
// table for each, saves the figures under bench/results/ and regenerates docs/benchmarks.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BENCH_DIR, createContext } from './lib/context.js'
import { machineSince, machineTimes } from './lib/cpu-split.js'
import { isScenarioModule, runExternal } from './lib/external-scenario.js'
import { describeMachine } from './lib/machine.js'
import { renderBenchmarksDoc, STOLEN_WARNING } from './lib/benchmarks-doc.js'
import { resolveOptions, USAGE } from './lib/options.js'
import { createProgress } from './lib/progress.js'
import { printResult } from './lib/report.js'
import { isMain } from './lib/standalone.js'

/** The default run, in order. Files owned by other parts of the suite join when they exist. */
const DEFAULT = ['seed-batch', 'sustained-ingest', 'purge-under-load', 'rsyslog-peer', 'dashboard-queries', 'transports']
/** Measured inside the default scenarios already; run on their own with --only. */
const ON_DEMAND = ['storage-ceiling', 'parse-only-baseline']
const DOC = join(BENCH_DIR, '..', 'docs', 'benchmarks.md')
/** What makes sense against a deployed receiver: nothing that needs its database or its host. */
const REMOTE = ['seed-batch', 'sustained-ingest']

/** Environment for bench files that are plain scripts configured by variables. */
function externalEnv (name, options) {
  const env = { TEKNO_TEST_MYSQL_URL: options.mysqlUrl }
  if (name === 'dashboard-queries') Object.assign(env, options.quick ? { EVENTS: '50000', RUNS: '5' } : { EVENTS: '1000000,5000000', RUNS: '30' })
  if (name === 'transports' && options.quick) Object.assign(env, { LINES: '20000', ROUNDS: '1' })
  return env
}

async function loadScenario (name, options) {
  const file = join(BENCH_DIR, `${name}.bench.js`)
  if (!existsSync(file)) return null
  if (isScenarioModule(readFileSync(file, 'utf8'))) return import(pathToFileURL(file).href)
  const env = externalEnv(name, options)
  return { title: name, run: (ctx) => runExternal(ctx, name, env) }
}

/** Bench files the lists above do not name yet: run after the rest, never in remote mode. */
function otherScenarios () {
  return readdirSync(BENCH_DIR).filter((f) => f.endsWith('.bench.js')).map((f) => f.slice(0, -'.bench.js'.length))
    .filter((n) => !DEFAULT.includes(n) && !ON_DEMAND.includes(n)).sort()
}

export async function main (argv = process.argv.slice(2)) {
  let options
  try {
    options = resolveOptions(argv)
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${USAGE}`)
    return 2
  }
  if (options.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (options.render !== undefined) {
    writeFileSync(DOC, renderBenchmarksDoc(JSON.parse(readFileSync(options.render, 'utf8'))))
    process.stdout.write(`Regenerated ${DOC} from ${options.render}\n`)
    return 0
  }
  const wanted = (options.only ?? (options.remote !== null ? REMOTE : [...DEFAULT, ...otherScenarios()])).filter((n) => !options.skip.includes(n))
  const unknown = wanted.filter((n) => ![...DEFAULT, ...ON_DEMAND].includes(n) && !existsSync(join(BENCH_DIR, `${n}.bench.js`)))
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario: ${unknown.join(', ')}\n`)
    return 2
  }

  const progress = createProgress()
  const ctx = createContext(options, progress)
  const machine = await describeMachine(options)
  ctx.machine = machine
  const startedAt = new Date()
  const cpuAtStart = machineTimes()
  progress.log(`Tekno Logger benchmarks: ${machine.cpu} (seed batch parse + SHA-256 ${machine.seedParseMs} ms), ${machine.memory}, node ${machine.versions.node}; ` +
    `${options.remote !== null ? `remote ${options.remote.url}` : `databases: ${options.backends.join(', ')}`}` +
    `${options.quick ? ' (quick)' : ''}`)
  if (options.mysqlUrl === undefined && options.remote === null) {
    progress.log('MariaDB skipped: set TEKNO_TEST_MYSQL_URL or pass --mysql-url to measure it too')
  }

  let failed = 0
  for (const name of wanted) {
    const scenario = await loadScenario(name, options)
    if (scenario === null) {
      if (options.only !== null) { progress.log(`${name}: bench/${name}.bench.js does not exist`); failed++ }
      continue
    }
    progress.log(`▶ ${name}`)
    const t0 = performance.now()
    try {
      const result = await scenario.run(ctx)
      result.seconds = (performance.now() - t0) / 1000
      ctx.results[name] = result
      progress.done()
      printResult(result)
    } catch (err) {
      failed++
      ctx.results[name] = { id: name, title: scenario.title ?? name, error: err?.stack ?? String(err) }
      progress.log(`✗ ${name} failed: ${err?.stack ?? err}`)
    }
  }
  progress.done()
  // On a shared VM the hypervisor may run other guests on our cores: figures measured minutes
  // apart then had different machines under them. Recorded so a reader can tell.
  const stolen = machineSince(cpuAtStart, machineTimes())?.stolenShare ?? null

  const report = {
    date: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ').replace(/(--secret\s+)\S+/, '$1***')}` : ''}`,
    runId: ctx.runId,
    machine: { ...machine, loadAverageAtEnd: loadavg().map((v) => Number(v.toFixed(2))), cpuStolenShare: stolen === null ? null : Number(stolen.toFixed(4)) },
    options: { ...options, remote: options.remote === null ? null : { url: options.remote.url, connections: options.remote.connections }, mysqlUrl: options.mysqlUrl === undefined ? null : redact(options.mysqlUrl) },
    results: ctx.results
  }
  const dir = options.resultsDir ?? join(BENCH_DIR, 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}${options.quick ? '-quick' : ''}${options.remote !== null ? '-remote' : ''}${options.only !== null || options.skip.length > 0 ? '-partial' : ''}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  if (stolen !== null && stolen >= STOLEN_WARNING) {
    process.stdout.write(`\nThe hypervisor gave ${Math.round(stolen * 100)}% of this machine's CPU to other guests during the run: ` +
      'figures measured minutes apart (a ceiling and its receiver) had different machines under them.\n')
  }
  process.stdout.write(`\nResults: ${file}\n`)
  if (options.writeDocs && options.only === null && options.skip.length === 0) {
    writeFileSync(DOC, renderBenchmarksDoc(report))
    process.stdout.write(`Regenerated ${DOC}\n`)
  }
  if (options.remote !== null) printRemoteCleanup(options.remote, ctx.runId)
  if (ctx.profileDir !== undefined) process.stdout.write(`CPU profiles: ${ctx.profileDir} (open in Chrome DevTools or summarise with node bench/lib/profile-summary.js FILE)\n`)
  // What the receivers and children wrote is only wanted when something failed.
  if (failed === 0) rmSync(ctx.logDir, { recursive: true, force: true })
  else process.stdout.write(`Logs of the receivers and child processes: ${ctx.logDir}\n`)
  return failed === 0 ? 0 : 1
}

function redact (url) {
  const u = new URL(url)
  if (u.password !== '') u.password = '***'
  return u.toString()
}

function printRemoteCleanup (remote, runId) {
  process.stdout.write(`
Every event sent has source "tekno-bench", context.tekno_bench_run "${runId}" and a batch id
starting with "${runId}". To remove them:
  - if the project was made for benchmarking (recommended), delete it and everything in it:
      curl -X DELETE -H "Authorization: Bearer $ADMIN_TOKEN" ${remote.url.replace(/\/+$/, '')}/admin/projects/PROJECT_ID
  - otherwise they leave with the project's retention (24–72 h; POST /admin/purge removes what is past it), or in SQL:
      DELETE FROM logs WHERE source = 'tekno-bench';
`)
}

if (isMain(import.meta.url)) process.exitCode = await main()

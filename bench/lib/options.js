import { parseArgs } from 'node:util'

export const USAGE = `npm run bench -- [options]

  --quick                about a minute: short runs, fewer rows, fewer requests
  --only a,b             run only these scenarios (names as in bench/*.bench.js)
  --skip a,b             run all but these
  --mysql-url URL        MariaDB/MySQL server to create bench databases on
                         (default: TEKNO_BENCH_MYSQL_URL, then TEKNO_TEST_MYSQL_URL; unset: SQLite only)
  --backends a,b         measure only these databases (sqlite, mysql; default: every one available)
  --seconds N            length of each timed load (default 15, quick 3)
  --requests N           requests per single-client latency measurement (default 300, quick 60)
  --purge-rows N         old rows seeded for the purge scenario (default 500000, quick 50000)
  --rsyslog-events N     events sent to the rsyslog peer (default 200000, quick 20000)
  --profile              write a V8 CPU profile of each receiver process to bench/results/profiles/
  --results-dir DIR      where the JSON goes (default bench/results)
  --no-docs              do not regenerate docs/benchmarks.md (quick and remote runs never do)
  --render FILE          only regenerate docs/benchmarks.md from a saved result

Remote mode (a deployed receiver; only tagged test events are sent, source "tekno-bench"):
  --url https://…        the receiver's base URL
  --key KEY --secret S   a project's credentials (use a project made for benchmarking)
  --connections N        concurrent clients for the remote sustained run (default 4)
  --rate N               batches/s for the remote latency runs (default 4: 800 events/s stays under
                         the default limits of 60 000 events/min per project and 1 200 requests/min per IP)
`

/** Every option resolved once; scenarios read this, never process.argv or process.env. */
export function resolveOptions (argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      backends: { type: 'string' },
      skip: { type: 'string' },
      'mysql-url': { type: 'string' },
      seconds: { type: 'string' },
      requests: { type: 'string' },
      'purge-rows': { type: 'string' },
      'rsyslog-events': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      render: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const quick = values.quick
  const num = (name, full, short) => {
    const raw = values[name]
    if (raw === undefined) return quick ? short : full
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`)
    return n
  }
  const list = (v) => v === undefined ? null : v.split(',').map((s) => s.trim()).filter(Boolean)
  const remote = values.url === undefined
    ? null
    : { url: values.url, key: values.key, secret: values.secret, connections: num('connections', 4, 4), rate: num('rate', 4, 4) }
  if (remote !== null && (remote.key === undefined || remote.secret === undefined)) {
    throw new Error('--url needs --key and --secret (a project\'s credentials)')
  }
  const mysqlUrl = values['mysql-url'] ?? nonEmpty(env.TEKNO_BENCH_MYSQL_URL) ?? nonEmpty(env.TEKNO_TEST_MYSQL_URL)
  return {
    help: values.help,
    render: values.render,
    quick,
    only: list(values.only),
    skip: list(values.skip) ?? [],
    mysqlUrl,
    backends: pickBackends(list(values.backends), mysqlUrl),
    seconds: num('seconds', 15, 3),
    requests: Math.round(num('requests', remote === null ? 300 : 100, remote === null ? 60 : 20)),
    purgeRows: Math.round(num('purge-rows', 500_000, 50_000)),
    rsyslogEvents: Math.round(num('rsyslog-events', 200_000, 20_000)),
    profile: values.profile,
    resultsDir: values['results-dir'],
    writeDocs: !values['no-docs'] && !quick && remote === null,
    remote
  }
}

function nonEmpty (v) {
  return v === undefined || v === '' ? undefined : v
}

export const BACKEND_LABEL = { sqlite: 'SQLite', mysql: 'MariaDB', 'parse-only': 'parse-only', remote: 'remote' }

function pickBackends (asked, mysqlUrl) {
  const available = mysqlUrl === undefined ? ['sqlite'] : ['sqlite', 'mysql']
  if (asked === null || asked === undefined || asked.length === 0) return available
  for (const b of asked) {
    if (!['sqlite', 'mysql'].includes(b)) throw new Error(`--backends: unknown database "${b}" (sqlite, mysql)`)
    if (!available.includes(b)) throw new Error(`--backends: ${b} needs --mysql-url or TEKNO_TEST_MYSQL_URL`)
  }
  return available.filter((b) => asked.includes(b))
}

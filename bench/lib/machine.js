import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import Database from 'better-sqlite3'
import { adminQuery } from './bench-database.js'
import { batchTemplate, bodyFor } from './seed-batch.js'

const require = createRequire(import.meta.url)

function pkgVersion (name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version
  } catch {
    return null
  }
}

/** The commit measured, and whether the tree differed from it: figures belong to code. */
function codeVersion () {
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const commit = git('rev-parse', '--short', 'HEAD')
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'server', 'transports', 'migrations', 'bench') !== ''
    return dirty ? `${commit} + uncommitted changes` : commit
  } catch {
    return null
  }
}

const SPEED_WARMUP = 30
const SPEED_RUNS = 200

/**
 * How fast one core of this machine is at the receiver's own kind of work, with none of our code
 * in it: JSON.parse and SHA-256 of the seed batch, median of 200. Two machines that both say
 * "2 cores" differed 1.9–2.4× in the receiver's CPU per batch (an AMD EPYC and a 2.1 GHz Xeon, both
 * 2-core VMs here); this figure tells a reader which kind of machine a run came from.
 */
export function cpuSpeed () {
  const body = bodyFor(batchTemplate({ runId: 'calibration' }), 'calibration')
  const text = body.toString('utf8')
  const times = []
  for (let i = 0; i < SPEED_WARMUP + SPEED_RUNS; i++) {
    const t0 = performance.now()
    JSON.parse(text)
    createHash('sha256').update(body).digest()
    if (i >= SPEED_WARMUP) times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return Number(times[Math.floor(times.length / 2)].toFixed(3))
}

/** What a reader needs to compare figures across machines: CPU, memory, OS and every version. */
export async function describeMachine (options) {
  const cpus = os.cpus()
  const sqlite = new Database(':memory:')
  const sqliteVersion = sqlite.prepare('SELECT sqlite_version() AS v').get().v
  sqlite.close()
  let mariadb = null
  if (options.mysqlUrl !== undefined) {
    mariadb = await adminQuery(options.mysqlUrl, 'SELECT VERSION() AS v').then((r) => r[0].v, (err) => `unreachable: ${err.message}`)
  }
  let rsyslog = null
  try {
    const banner = execFileSync('rsyslogd', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    rsyslog = /rsyslogd\s+(\S+)/.exec(banner)?.[1] ?? null
  } catch {}
  return {
    code: codeVersion(),
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    cores: cpus.length,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    seedParseMs: cpuSpeed(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    versions: {
      node: process.version,
      'tekno-logger-server': pkgVersion('tekno-logger-server'),
      fastify: pkgVersion('fastify'),
      'better-sqlite3': pkgVersion('better-sqlite3'),
      sqlite: sqliteVersion,
      mysql2: pkgVersion('mysql2'),
      mariadb,
      autocannon: pkgVersion('autocannon'),
      rsyslog
    }
  }
}

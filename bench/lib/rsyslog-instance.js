import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

// A private rsyslogd: its own config, pid file and work directory under a temp folder, imtcp on
// a free 127.0.0.1 port, ommysql into a table of a database the scenario created. The system's
// rsyslog (its config and its service) is never read, started or touched.

export const RSYSLOGD = '/usr/sbin/rsyslogd'

const OMMYSQL = ['/usr/lib/x86_64-linux-gnu/rsyslog/ommysql.so', '/usr/lib/aarch64-linux-gnu/rsyslog/ommysql.so', '/usr/lib/rsyslog/ommysql.so']

export function rsyslogAvailable () {
  return existsSync(RSYSLOGD) && OMMYSQL.some((p) => existsSync(p))
}

export async function freePort () {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * The table has our logs table's columns and indexes, so both write the same shape of row. The
 * template is SQL, as ommysql wants: option.sql escapes quotes and backslashes MySQL's way.
 * rsyslog starts a queue's second worker only once size/workers messages wait (250 000 here),
 * which a run of this length never reaches: workerThreadMinimumMessages makes both work.
 * ommysql commits once per dequeued batch (up to 1 024 rows), as we do per HTTP batch.
 */
export function rsyslogConfig ({ dir, port, mysql, table, workers }) {
  return `
global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imtcp")
module(load="ommysql")

template(name="tekno" type="list" option.sql="on") {
  constant(value="INSERT INTO ${table} (project_id, ts, received_at, level, message, source, fingerprint) VALUES (1, ")
  property(name="timereported" dateFormat="unixtimestamp")
  constant(value="000, ")
  property(name="timegenerated" dateFormat="unixtimestamp")
  constant(value="000, ")
  property(name="syslogseverity")
  constant(value=", '")
  property(name="msg")
  constant(value="', '")
  property(name="app-name")
  constant(value="', '')")
}

ruleset(name="tekno-bench") {
  action(type="ommysql" server="${mysql.host}" serverport="${mysql.port}" db="${mysql.database}"
         uid="${mysql.user}" pwd="${mysql.password}" template="tekno"
         queue.type="LinkedList" queue.size="500000" queue.workerThreads="${workers}"
         queue.workerThreadMinimumMessages="1000" queue.dequeueBatchSize="1024" action.resumeRetryCount="-1")
}

input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="tekno-bench")
`
}

export async function startRsyslog ({ mysql, table, workers = 2 }) {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-rsyslog-'))
  const port = await freePort()
  const conf = join(dir, 'rsyslog.conf')
  const pidFile = join(dir, 'rsyslogd.pid')
  writeFileSync(conf, rsyslogConfig({ dir, port, mysql, table, workers }))
  const check = spawn(RSYSLOGD, ['-N1', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
  let checkOut = ''
  check.stdout.on('data', (d) => { checkOut += d })
  check.stderr.on('data', (d) => { checkOut += d })
  const checkCode = await new Promise((resolve) => check.on('exit', resolve))
  if (checkCode !== 0) throw new Error(`rsyslogd rejected the config: ${checkOut.trim()}`)

  // -n: stay in the foreground, a child of ours that we stop ourselves.
  const proc = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (d) => { output += d })
  proc.stderr.on('data', (d) => { output += d })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`rsyslogd exited with ${proc.exitCode}: ${output.trim()}`)
    if (await canConnect(port)) break
    await sleep(100)
  }
  return {
    port,
    pid: proc.pid,
    output: () => output,
    async stop () {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

async function canConnect (port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

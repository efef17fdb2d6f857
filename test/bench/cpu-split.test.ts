import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import t from 'tap'
// @ts-expect-error plain JavaScript module without types
import { cpuMark, cpuSince, localDatabasePid } from '../../bench/lib/cpu-split.js'

// The bench splits a load's CPU between the target, the database server and the load generator
// by reading /proc. A process that burns a known amount of CPU must show up as such.

interface Split { machineBusyMs: number, machineBusyShare: number, databaseMs: number | null, loadGeneratorMs: number }

t.test('another process’s CPU is read from /proc, this one’s apart', async (t) => {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 800; while (Date.now() < end) {}'])
  t.teardown(() => { child.kill() })
  const mark = cpuMark(child.pid)
  await once(child, 'spawn')
  // Sampled before the child exits: a reaped process has no /proc entry left to read.
  await new Promise((resolve) => setTimeout(resolve, 700))
  const split = cpuSince(mark) as Split
  t.ok(split.databaseMs !== null && split.databaseMs >= 400, `the busy process used ${split.databaseMs} ms`)
  t.ok(split.machineBusyMs >= (split.databaseMs ?? 0) * 0.9, `the machine was busy at least as long (${split.machineBusyMs} ms)`)
  t.ok(split.loadGeneratorMs < 200, `this process, mostly waiting, used ${split.loadGeneratorMs} ms`)
  t.ok(split.machineBusyShare > 0 && split.machineBusyShare <= 1, 'busy share is a fraction')
  await once(child, 'exit')
})

t.test('the database server is found only for a MariaDB on this machine', async (t) => {
  t.equal(localDatabasePid('sqlite:///tmp/x.db'), null, 'SQLite has no server process')
  t.equal(localDatabasePid('mysql://root@db.example.com:3306/test'), null, 'a remote server is not ours to read')
  const url = process.env.TEKNO_TEST_MYSQL_URL
  if (url === undefined || url === '') return
  const pid = localDatabasePid(url) as number | null
  t.type(pid, 'number', `found the local server (${url})`)
  t.match(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), /^(mariadbd|mysqld)$/, 'and it is the database server')
})

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import t from 'tap'
// @ts-expect-error plain JavaScript module without types
import { cpuMark, cpuSince, localDatabasePid, machineSince, parseCpuLine } from '../../bench/lib/cpu-split.js'

// The bench splits a load's CPU between the target, the database server and the load generator
// by reading /proc. A process that burns a known amount of CPU must show up as such.

interface Split { machineBusyMs: number, machineBusyShare: number, stolenShare: number, databaseMs: number | null, loadGeneratorMs: number }

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
  t.ok(split.stolenShare >= 0 && split.stolenShare + split.machineBusyShare <= 1, `stolen share (${split.stolenShare}) is a fraction beside it`)
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

t.test('steal is kept out of busy time, and guest time is not counted twice', async (t) => {
  // user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms
  const before = parseCpuLine('cpu  100 5 50 1000 20 3 2 40 7 0', 10)
  t.same(before, { busyMs: 1600, stolenMs: 400, totalMs: 12_200 })
  const after = parseCpuLine('cpu  200 5 90 1100 20 3 2 100 30 0\n', 10)
  const d = machineSince(before, after)
  t.same({ busyMs: d.busyMs, stolenMs: d.stolenMs, totalMs: d.totalMs }, { busyMs: 1400, stolenMs: 600, totalMs: 3000 })
  t.equal(d.busyShare.toFixed(4), (1400 / 3000).toFixed(4))
  t.equal(d.stolenShare, 0.2)
  t.equal(machineSince(null, after), null, 'no /proc/stat, no figures')
  t.same(parseCpuLine('cpu  10 0 10 80', 10), { busyMs: 200, stolenMs: 0, totalMs: 1000 }, 'an old kernel without the later columns')
})

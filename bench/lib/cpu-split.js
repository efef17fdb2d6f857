import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

// Where a measurement's CPU went: the target process, the database server, this process (the
// load generator) and the rest of the machine (the kernel's network work, anything else). On two
// cores all of them compete, so a receiver's throughput is bounded by the whole machine's CPU per
// batch, not its own; this is what lets a reader see which share moved between two runs.

let clockTicks = null

/** Kernel clock ticks per second (USER_HZ), the unit of /proc/stat and /proc/<pid>/stat. */
function ticksPerSecond () {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/**
 * The first line of /proc/stat in ms: busy (user, nice, system, irq, softirq), stolen and the
 * total of all of them with idle and iowait. Steal is time the hypervisor ran another guest on
 * our virtual cores: neither our work nor idle, so it is kept apart from busy. Guest time is
 * already inside user and nice, so it is not added again.
 */
export function parseCpuLine (line, msPerTick) {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    line.trim().split(/\s+/).slice(1, 9).map(Number)
  const busy = user + nice + system + irq + softirq
  return { busyMs: busy * msPerTick, stolenMs: steal * msPerTick, totalMs: (busy + idle + iowait + steal) * msPerTick }
}

/** Busy, stolen and total CPU time since boot, all cores, in ms; null where /proc/stat does not exist. */
export function machineTimes () {
  try {
    return parseCpuLine(readFileSync('/proc/stat', 'utf8').split('\n', 1)[0], 1000 / ticksPerSecond())
  } catch {
    return null
  }
}

/** CPU time (user + system, all threads) of another process in ms, or null if it cannot be read. */
function processCpuMs (pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces; fields 14 and 15 count from after it.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) * 1000 / ticksPerSecond()
  } catch {
    return null
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
const SERVER_NAMES = new Set(['mariadbd', 'mysqld'])

/**
 * The pid of the MariaDB/MySQL server behind a `mysql://` URL when it runs on this machine (a
 * loopback host), else null: a remote server's CPU is not ours to read, and SQLite has none.
 */
export function localDatabasePid (databaseUrl) {
  if (typeof databaseUrl !== 'string' || !databaseUrl.startsWith('mysql://')) return null
  if (!LOOPBACK.has(new URL(databaseUrl).hostname)) return null
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        if (SERVER_NAMES.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry)
      } catch {}
    }
  } catch {}
  return null
}

/** A reading to subtract from a later one (`cpuSince`). */
export function cpuMark (databasePid) {
  const self = process.cpuUsage()
  return {
    machine: machineTimes(),
    selfMs: (self.user + self.system) / 1000,
    databaseMs: databasePid === null ? null : processCpuMs(databasePid),
    databasePid
  }
}

/** Busy and stolen time between two `machineTimes()` readings, with their shares of the whole; null without both. */
export function machineSince (before, after) {
  if (before === null || after === null) return null
  const totalMs = after.totalMs - before.totalMs
  const busyMs = after.busyMs - before.busyMs
  const stolenMs = after.stolenMs - before.stolenMs
  return { busyMs, stolenMs, totalMs, busyShare: totalMs > 0 ? busyMs / totalMs : null, stolenShare: totalMs > 0 ? stolenMs / totalMs : null }
}

/**
 * CPU used since `mark`, in ms: the whole machine's busy time (steal excluded), the database
 * server's, this process's; and the share of the machine the hypervisor took meanwhile.
 */
export function cpuSince (mark) {
  const now = cpuMark(mark.databasePid)
  const machine = machineSince(mark.machine, now.machine)
  return {
    machineBusyMs: machine?.busyMs ?? null,
    machineBusyShare: machine?.busyShare ?? null,
    stolenShare: machine?.stolenShare ?? null,
    databaseMs: mark.databaseMs === null || now.databaseMs === null ? null : now.databaseMs - mark.databaseMs,
    loadGeneratorMs: now.selfMs - mark.selfMs
  }
}

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

/** Busy and total CPU time since boot, all cores, in ms; null where /proc/stat does not exist. */
export function machineTimes () {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
    const total = fields.reduce((a, b) => a + b, 0)
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
    const ms = 1000 / ticksPerSecond()
    return { busyMs: (total - idle) * ms, totalMs: total * ms }
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

/** CPU used since `mark`, in ms: the whole machine's busy time, the database server's, this process's. */
export function cpuSince (mark) {
  const now = cpuMark(mark.databasePid)
  const machine = mark.machine === null || now.machine === null
    ? null
    : { busyMs: now.machine.busyMs - mark.machine.busyMs, totalMs: now.machine.totalMs - mark.machine.totalMs }
  return {
    machineBusyMs: machine?.busyMs ?? null,
    machineBusyShare: machine === null || machine.totalMs <= 0 ? null : machine.busyMs / machine.totalMs,
    databaseMs: mark.databaseMs === null || now.databaseMs === null ? null : now.databaseMs - mark.databaseMs,
    loadGeneratorMs: now.selfMs - mark.selfMs
  }
}

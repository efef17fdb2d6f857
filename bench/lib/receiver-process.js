import { fork } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuMark, cpuSince, localDatabasePid } from './cpu-split.js'

const CHILD = fileURLToPath(new URL('./receiver-child.js', import.meta.url))
const START_TIMEOUT_MS = 60_000

/**
 * Starts a target in its own process: `receiver` (the real app on a database), `parse-only`
 * (the HTTP ceiling) or `storage` (the store alone, for the database ceiling). Its output goes to
 * a log file so the progress line stays readable.
 */
export async function startTarget ({ mode, databaseUrl, env = {}, logDir, profileDir }) {
  const execArgv = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const child = fork(CHILD, [JSON.stringify({ mode, databaseUrl, env })], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  const logPath = join(logDir, `${mode}-${child.pid}.log`)
  const log = createWriteStream(logPath)
  child.stdout.pipe(log)
  child.stderr.pipe(log)

  const pending = new Map()
  let nextId = 0
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} did not start within ${START_TIMEOUT_MS / 1000} s (see ${logPath})`)), START_TIMEOUT_MS)
    child.on('message', (msg) => {
      if (msg.type === 'ready') { clearTimeout(timer); resolve(msg.info) }
      if (msg.type === 'failed') { clearTimeout(timer); reject(new Error(`${mode} failed to start: ${msg.error}`)) }
      if (msg.id !== undefined) {
        const p = pending.get(msg.id)
        pending.delete(msg.id)
        if (msg.ok) p?.resolve(msg.result)
        else p?.reject(new Error(msg.error))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${mode} exited with ${code} (see ${logPath})`))
      for (const p of pending.values()) p.reject(new Error(`${mode} exited with ${code} (see ${logPath})`))
    })
  })

  const databasePid = localDatabasePid(databaseUrl)
  const call = (cmd, args) => new Promise((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    child.send({ id, cmd, args })
  })

  return {
    mode,
    pid: child.pid,
    info,
    logPath,
    call,
    /**
     * Samples CPU and RSS until stopped: CPU as % of one core over the window, RSS at its peak,
     * and (`cpu`) the CPU time of the whole machine, the local database server and the load
     * generator (this process) over the same window.
     */
    monitor (intervalMs = 250) {
      let peak = 0
      const first = call('stats')
      const mark = cpuMark(databasePid)
      const t0 = performance.now()
      const timer = setInterval(() => {
        call('stats').then((s) => { peak = Math.max(peak, s.rss) }, () => {})
      }, intervalMs)
      return async () => {
        clearInterval(timer)
        const [a, b] = await Promise.all([first, call('stats')])
        const cpu = cpuSince(mark)
        const ms = performance.now() - t0
        peak = Math.max(peak, a.rss, b.rss)
        const cpuMs = (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000
        return { cpuPercent: cpuMs / ms * 100, rssPeak: peak, cpu: { ...cpu, targetMs: cpuMs, windowMs: ms } }
      }
    },
    async close () {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await call('close').catch(() => {})
      // A profile is written at exit; give it time, then insist.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}

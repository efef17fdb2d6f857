import { execFile } from 'node:child_process'
import { BENCH_DIR } from './context.js'

// Bench files written as plain scripts (top-level code, figures printed as markdown tables) are
// run as they are, in a child process, and their tables read back from stdout. Importing them
// would run them inside the harness with no way to bound or configure them.

const TIMEOUT_MS = 5 * 60_000
// dashboard-queries, asked for 1 M then 5 M events (EVENTS=1000000,5000000), seeds and measures
// both on each database: 2–3 GB of rows, about 10 minutes on 2 shared cores.
const TIMEOUT_MS_OF = { 'dashboard-queries': 20 * 60_000 }

/** True when the file exports the scenario interface (`run`) rather than running on import. */
export function isScenarioModule (source) {
  return /export\s+(async\s+)?function\s+run\b|export\s+(const|let)\s+run\b/.test(source)
}

export function runExternal (ctx, name, env = {}) {
  const file = `${BENCH_DIR}${name}.bench.js`
  const timeoutMs = TIMEOUT_MS_OF[name] ?? TIMEOUT_MS
  // An undefined value removes the variable: these scripts test for presence, not emptiness.
  const childEnv = { ...process.env, ...env }
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k]
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [file], {
      env: childEnv,
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024
    }, (err, stdout, stderr) => {
      clearInterval(ticker)
      if (err?.killed) { reject(new Error(`${name}.bench.js did not finish within ${timeoutMs / 60_000} min and was stopped\n${stderr.slice(-2000)}`)); return }
      if (err) { reject(new Error(`${name}.bench.js failed: ${err.message}\n${stderr.slice(-2000)}`)); return }
      resolve({ id: name, title: `${name} (bench/${name}.bench.js)`, ...parseOutput(stdout), checks: [], data: { stdout } })
    })
    const t0 = Date.now()
    const ticker = setInterval(() => ctx.progress.update(`${name}: running, ${Math.round((Date.now() - t0) / 1000)} s`), 1000)
    child.on('error', reject)
  })
}

/** Markdown tables become tables; the line just before a table is its title; other lines, notes. */
export function parseOutput (stdout) {
  const tables = []
  const notes = []
  const lines = stdout.split('\n')
  let last = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line.startsWith('|') && lines[i + 1]?.trim().match(/^\|\s*:?-+/)) {
      const cells = (l) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim())
      const table = { title: last ?? '', columns: cells(line), rows: [] }
      if (last !== null && notes.at(-1) === last) notes.pop()
      i += 2
      while (i < lines.length && lines[i].trim().startsWith('|')) table.rows.push(cells(lines[i++]))
      i--
      tables.push(table)
      last = null
    } else if (line !== '') {
      notes.push(line)
      last = line
    }
  }
  return { tables, notes }
}

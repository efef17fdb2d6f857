import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBenchDatabase } from './bench-database.js'
import { silentProgress } from './progress.js'
import { startTarget } from './receiver-process.js'
import { waitForQuiet } from './settle.js'

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

/** What every scenario receives: resolved options, a progress line, and where to put files. */
export function createContext (options, progress = silentProgress) {
  const runId = `tekno-bench-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`
  const logDir = mkdtempSync(join(tmpdir(), 'tekno-bench-logs-'))
  let profileDir
  if (options.profile) {
    profileDir = join(BENCH_DIR, 'results', 'profiles', runId)
    mkdirSync(profileDir, { recursive: true })
  }
  return { options, progress, runId, logDir, profileDir, results: {} }
}

/**
 * Runs `fn` against a fresh target process: `parse-only`, or `receiver`/`storage` on a new
 * database of `kind`. The process is stopped and the database dropped whatever happens.
 */
export async function withTarget (ctx, mode, kind, fn, { env } = {}) {
  // A quick run (the test suite's) is a smoke test: its figures mean nothing, so no waiting.
  const quiet = ctx.options.quick || ctx.options.remote !== null ? { waitedMs: 0, busy: 0 } : await waitForQuiet()
  if (quiet.waitedMs > 1000) {
    ctx.progress.log(`waited ${(quiet.waitedMs / 1000).toFixed(1)} s for the machine to go quiet (${Math.round(quiet.busy * 100)}% busy)`)
  }
  const db = mode === 'parse-only' ? null : await createBenchDatabase(kind, ctx.options.mysqlUrl)
  let target = null
  try {
    target = await startTarget({ mode, databaseUrl: db?.databaseUrl, env, logDir: ctx.logDir, profileDir: ctx.profileDir })
    return await fn(target, db)
  } finally {
    await target?.close()
    await db?.destroy()
  }
}

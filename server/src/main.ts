#!/usr/bin/env node
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openStore } from './storage/open-store.js'

// The process shell: read config, migrate, listen, and drain on SIGTERM/SIGINT. Everything
// testable lives in app.ts.

const SHUTDOWN_GRACE_MS = 25_000

function configOrExit (): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) process.stderr.write(`config error: ${line}\n`)
      process.exit(1)
    }
    throw err
  }
}

async function migrate (): Promise<void> {
  const config = configOrExit()
  const store = openStore(config.databaseUrl)
  try {
    const applied = await store.migrate()
    process.stdout.write(applied.length === 0 ? 'migrations: up to date\n' : `migrations applied: ${applied.join(', ')}\n`)
  } finally {
    await store.close()
  }
}

async function serve (): Promise<void> {
  const config = configOrExit()
  const store = openStore(config.databaseUrl)
  await store.migrate()
  const app = await buildApp({ config, store })

  let closing = false
  const shutdown = (signal: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    const timer = setTimeout(() => {
      app.log.error('shutdown grace period over; exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    timer.unref()
    // app.close() stops accepting, waits for in-flight requests (and their inserts), then the
    // pool closes: a batch that was answered 202 is committed before we exit.
    app.close()
      .then(async () => { await store.close() })
      .then(() => process.exit(0), (err) => { app.log.error({ err }, 'error while shutting down'); process.exit(1) })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  const address = await app.listen({ port: config.port, host: config.host })
  process.stdout.write(`tekno-logger-server listening on ${address} (database: ${store.kind})\n`)
  // Once at start-up too, so an idle receiver that restarts still catches up on its purge.
  app.tekno.maintainer.run('startup', false).catch((err: unknown) => { app.log.error({ err }, 'start-up maintenance failed') })
  if (config.adminTokenGenerated) {
    process.stdout.write(`ADMIN_TOKEN was not set; generated for this run: ${config.adminToken}\n`)
  }
}

const command = process.argv[2]
const run = command === 'migrate' ? migrate : command === undefined || command === 'serve' ? serve : undefined
if (run === undefined) {
  process.stderr.write(`usage: tekno-logger-server [serve|migrate]\n`)
  process.exit(2)
} else {
  run().catch((err) => {
    process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}

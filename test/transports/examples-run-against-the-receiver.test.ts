import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { appEnv } from './fixtures/helpers/child.js'

function runExample (name: string, env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const file = fileURLToPath(new URL(`../../examples/${name}/index.mjs`, import.meta.url))
  const child = spawn(process.execPath, [file], { env: { ...appEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

/** A port nothing listens on, so the example's Loki pushes are refused. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('examples/pino-app sends its info and error lines and exits normally', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const run = await runExample('pino-app', { TEKNO_URL: receiver.url, TEKNO_KEY: receiver.key, TEKNO_SECRET: receiver.secret, TMPDIR: spoolDir(t), REQUESTS: '200' })
  t.equal(run.code, 0, run.stderr)
  const events = await allEvents(receiver)
  t.equal(events.length, 200, 'info and error only: the debug lines stay on stdout (per-target level)')
  t.equal(events.filter((e) => e.level === 'error').length, 4)
  t.match(run.stdout, /"msg":"request received"/, 'the other target still gets its lines')
})

t.test('examples/winston-app diverts to the receiver when Loki refuses connections', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const run = await runExample('winston-app', {
    TEKNO_URL: receiver.url, TEKNO_KEY: receiver.key, TEKNO_SECRET: receiver.secret, TMPDIR: spoolDir(t), ORDERS: '100', LOKI_URL: `http://127.0.0.1:${await closedPort()}`
  })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /primary unavailable, logs go to the receiver: failing \(network ECONNREFUSED/)
  const events = await allEvents(receiver)
  const orders = new Set(events.map((e) => Number(/order (\d+)/.exec(e.message)?.[1])))
  t.equal(orders.size, 100, 'every order line is in the receiver')
  t.match(events.find((e) => e.level === 'error'), { source: 'orders', stack: /^Error: order \d+ could not be charged/ })
  t.match(run.stdout, /done: \d+ sent to the receiver/)
})

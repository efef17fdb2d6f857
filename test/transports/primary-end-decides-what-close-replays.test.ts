import t from 'tap'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import winston from 'winston'
import LokiTransport from 'winston-loki'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'
import { startFakeLoki } from './fixtures/helpers/fake-loki.js'

// A primary that writes a file confirms nothing while it runs, so its last lines stay in the ring.
// When it ends cleanly they are in the file: the receiver must not get them a second time at every
// shutdown. When it fails, they must reach the receiver. Real primaries, a real receiver.

const LINES = 300
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const fileLines = (file: string) => existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '') : []

t.test('pino with pino/file as primary: a clean exit leaves every line in the file and none resent', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const dir = spoolDir(t)
  const destination = join(dir, 'app.log')
  const app = runApp('pino-app.mjs', {
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: dir, primary: { target: 'pino/file', options: { destination } }
  }, { MODE: 'exit', LINES: String(LINES) })
  t.equal(await app.exited, 0, app.stderr())
  t.equal(fileLines(destination).length, LINES + 1, 'every line and the error are in the file')
  t.same(await allEvents(receiver), [], 'and none went to the receiver')
})

t.test('pino with a pino/file primary that cannot open its file: every line goes to the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const dir = spoolDir(t)
  // A directory where the file should be: opening it fails (EISDIR) after the primary started.
  const app = runApp('pino-app.mjs', {
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: dir, primary: { target: 'pino/file', options: { destination: dir } }
  }, { MODE: 'exit', LINES: String(LINES) })
  t.equal(await app.exited, 0, app.stderr())
  const stored = new Set((await allEvents(receiver)).map((e) => e.context.i as number | undefined))
  const missing = []
  for (let i = 0; i < LINES; i++) if (!stored.has(i)) missing.push(i)
  t.same(missing, [], 'the receiver has every line the file could not take')
})

t.test('pino with pino-loki unbatched (a push a line) as primary: a clean exit waits for the pushes in flight and resends none', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const loki = await startFakeLoki({ acceptLines: Number.MAX_SAFE_INTEGER, quotaMs: 0 })
  t.teardown(() => loki.close())
  const app = runApp('pino-app.mjs', {
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), primary: { target: 'pino-loki', options: { host: loki.url, batching: false } }
  }, { MODE: 'exit', LINES: String(LINES) })
  t.equal(await app.exited, 0, app.stderr())
  t.equal(loki.lines.length, LINES + 1, 'every line and the error reached Loki')
  t.same(await allEvents(receiver), [], 'and none went to the receiver as well')
})

function fileTransport (t: { teardown (fn: () => void): void }, receiver: { url: string, key: string, secret: string }, filename: string, warnings: string[] = []): TeknoTransport {
  const primary = new winston.transports.File({ filename })
  return new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 50, primary, onWarning: (w) => warnings.push(w.message)
  })
}

t.test('winston with a File primary: logger.end() leaves every line in the file and none resent', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const filename = join(spoolDir(t), 'app.log')
  const warnings: string[] = []
  const transport = fileTransport(t, receiver, filename, warnings)
  const logger = winston.createLogger({ transports: [transport] })
  for (let i = 0; i < LINES; i++) logger.info(`line ${i}`, { i })
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  t.equal(fileLines(filename).length, LINES, 'every line is in the file once the transport finished')
  await pause(200)
  t.same(await allEvents(receiver), [], 'and none went to the receiver')
  t.equal(transport.stats().spooled, 0, 'or to the spool')
  t.same(warnings, [], 'a file makes no HTTP requests: no warning that they cannot be watched')
})

t.test('winston with a File primary that cannot open its file: every line goes to the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  // The file's name is taken by a directory: opening it fails (EISDIR) once the logger runs.
  const transport = fileTransport(t, receiver, spoolDir(t))
  const logger = winston.createLogger({ transports: [transport] })
  for (let i = 0; i < LINES; i++) logger.info(`line ${i}`, { i })
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  const stored = new Set((await allEvents(receiver)).map((e) => e.context.i as number | undefined))
  const missing = []
  for (let i = 0; i < LINES; i++) if (!stored.has(i)) missing.push(i)
  t.same(missing, [], 'the receiver has every line the file could not take')
})

t.test('winston with winston-loki as primary (batching, its default): logger.end() leaves every line at Loki and none resent', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const loki = await startFakeLoki({ acceptLines: Number.MAX_SAFE_INTEGER, quotaMs: 0 })
  t.teardown(() => loki.close())
  // Its flush waits for the next send, up to its 5 s interval; its close sends at once.
  const primary = new LokiTransport({ host: loki.url, json: true, onConnectionError: () => {} })
  const transport = new TeknoTransport({ url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), primary })
  const logger = winston.createLogger({ transports: [transport] })
  for (let i = 0; i < LINES; i++) logger.info(`line ${i}`, { i })
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  t.equal(loki.lines.length, LINES, 'every line reached Loki')
  await pause(200)
  t.same(await allEvents(receiver), [], 'and none went to the receiver as well')
})

for (const stuck of ['end', 'flush']) {
  t.test(`winston with a primary that never finishes its ${stuck}: the process waits for it, then replays its lines`, async (t) => {
    const receiver = await startReceiver()
    t.teardown(() => receiver.close())
    const app = runApp('winston-stuck-primary-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t) }, { LINES: '50', STUCK: stuck })
    t.equal(await app.exited, 0, app.stderr())
    const stored = (await allEvents(receiver)).map((e) => e.context.i as number).sort((a, b) => a - b)
    t.same(stored, Array.from({ length: 50 }, (_, i) => i), 'every line reached the receiver before the process ended')
  })
}

import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents, eventually } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'

t.test('SIGTERM while batches are half full: every line logged before the signal is stored', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  // A long flush interval keeps a partial batch in the worker when the signal lands.
  const app = runApp('pino-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 60_000 }, { MODE: 'sigterm' })
  await eventually(async () => app.stdout(), (out) => out.includes('ready'))
  app.child.kill('SIGTERM')
  t.equal(await app.exited, 0, app.stderr())
  const logged = Number(/logged (\d+)/.exec(app.stdout())?.[1])
  t.ok(logged >= 500, `${logged} lines logged`)
  const events = await allEvents(receiver)
  t.equal(events.length, logged, 'all of them, once')
  t.equal(new Set(events.map((e) => e.context.i)).size, logged)
})

t.test('receiver answering 429 with Retry-After: the worker waits and delivers, and the app exits normally', async (t) => {
  const receiver = await startReceiver({ env: { RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '300' } })
  t.teardown(() => receiver.close())
  const dir = spoolDir(t)
  const app = runApp('pino-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: dir, closeTimeoutMs: 1500 }, { LINES: '999' })
  t.equal(await app.exited, 0)
  t.match(app.stderr(), /TEKNO_RATE_LIMITED.*rate-limiting these logs.*429/, 'the rate limit is reported as a warning')
  const stored = (await allEvents(receiver)).length
  t.ok(stored >= 200 && stored <= 300, `${stored} stored within the limit`)
  const spooled = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')).reduce((n, line) => n + JSON.parse(line).events.length, 0)
  t.equal(stored + spooled, 1000, 'the rest waits in the spool for the next start')
})

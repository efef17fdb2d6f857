import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'
import { startFakeLoki } from './fixtures/helpers/fake-loki.js'

t.test('pino-loki as primary: over quota the lines go to the receiver, then back to Loki', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const loki = await startFakeLoki({ acceptLines: 60, quotaMs: 1000, retryAfterSeconds: 1 })
  t.teardown(() => loki.close())
  const lines = 600
  const app = runApp('pino-app.mjs', {
    url: receiver.url,
    key: receiver.key,
    secret: receiver.secret,
    spoolDir: spoolDir(t),
    flushIntervalMs: 100,
    failover: { successesToRecover: 2 },
    primary: { target: 'pino-loki', options: { host: loki.url, batching: { interval: 0.2 } } }
  }, { MODE: 'trickle', LINES: String(lines), EVERY_MS: '10' })
  t.equal(await app.exited, 0, app.stderr())

  const inLoki = new Set(loki.lines.map((line) => JSON.parse(line).i as number))
  const events = await allEvents(receiver)
  const inReceiver = new Set(events.map((e) => e.context.i as number))
  const missing = []
  for (let i = 0; i < lines; i++) if (!inLoki.has(i) && !inReceiver.has(i)) missing.push(i)
  t.same(missing, [], 'every line is in Loki or in the receiver')
  t.ok(loki.rejectedRequests > 0, 'the quota window was hit')
  t.ok(inReceiver.size > 0, 'the receiver caught lines while Loki refused them')
  t.ok(inLoki.has(lines - 1), 'the last lines went to Loki again: the switch back happened')
  t.match(app.stderr(), /primary unavailable.*rate limited \(429/, 'the switch away is reported')
  t.match(app.stderr(), /primary recovered/, 'the switch back is reported')
  const count = (re: RegExp) => app.stderr().match(re)?.length ?? 0
  t.ok(count(/primary unavailable/g) <= count(/probing the primary again/g) + 1, 'one line per switch, not per failure')
  t.equal(count(/primary recovered/g), 1)
})

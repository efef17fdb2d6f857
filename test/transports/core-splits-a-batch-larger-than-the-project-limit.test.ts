import t from 'tap'
import { once } from 'node:events'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { eventually, storedIndexes, upTo } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

// A project limited to 50 events a minute, and a transport whose batches hold up to 200: a batch
// of 120 is refused whole (429, scope project, Retry-After 60) however long it waits. It used to
// be retried every minute for ever, with every later line queued behind it: nothing was stored.
// The refusal's RateLimit-Limit says how many events can ever fit; the batch is split to that.

t.test('a batch larger than the project\'s per-minute limit is split to fit, and the first piece is stored at once', async (t) => {
  const receiver = await startReceiver({ env: { RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '50' } })
  t.teardown(() => receiver.close())
  const warnings: string[] = []
  const transport = new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), closeTimeoutMs: 500, onWarning: (w) => warnings.push(w.kind)
  })
  const logger = winston.createLogger({ transports: [transport] })
  for (let i = 0; i < 120; i++) logger.info(`line ${i}`, { i })
  t.same(await eventually(() => storedIndexes(receiver), (stored) => stored.length >= 50), upTo(50), 'the first 50 lines, the limit')
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  const stats = transport.stats()
  t.equal(stats.rejected, 0, 'no event refused for good')
  t.equal(stats.spooled, 70, 'the other 70 wait in the spool for the window to move on')
  t.ok(warnings.includes('rate-limited'), `the wait is reported as a rate limit (${warnings.join(', ')})`)
  t.notOk(warnings.includes('unreachable'), 'not as an unavailable receiver')
})

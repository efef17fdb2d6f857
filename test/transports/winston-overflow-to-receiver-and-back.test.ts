import t from 'tap'
import winston from 'winston'
import LokiTransport from 'winston-loki'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { startFakeLoki } from './fixtures/helpers/fake-loki.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const indexOf = (line: string) => Number(/line (\d+)/.exec(line)?.[1])

t.test('winston-loki as primary: over quota the logs go to the receiver, then back to Loki', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const loki = await startFakeLoki({ acceptLines: 40, quotaMs: 1200, retryAfterSeconds: 1 })
  t.teardown(() => loki.close())
  const warnings: string[] = []
  // batching off: winston-loki's own circuit breaker waits 60 s after a failed batch.
  const primary = new LokiTransport({ host: loki.url, json: true, batching: false, onConnectionError: () => {} })
  const transport = new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 100, primary, onWarning: (w) => warnings.push(w.message)
  })
  const logger = winston.createLogger({ transports: [transport] })
  // Log until the switch back has happened (a busy machine stretches every timer), then a bit more.
  let lines = 0
  let recoveredAt: number | null = null
  while (recoveredAt === null || lines < recoveredAt + 20) {
    logger.info(`line ${lines}`, { i: lines })
    lines++
    await pause(12)
    if (recoveredAt === null && lines > 200 && transport.state === 'primary' && transport.stats().switches > 0) recoveredAt = lines
  }
  await transport.flush()
  await pause(200)
  logger.close()
  await transport.flush()

  const inLoki = new Set(loki.lines.map(indexOf))
  const inReceiver = new Set((await allEvents(receiver)).map((e) => e.context.i as number))
  const missing = []
  for (let i = 0; i < lines; i++) if (!inLoki.has(i) && !inReceiver.has(i)) missing.push(i)
  t.same(missing, [], 'every line is in Loki or in the receiver')
  t.ok(loki.rejectedRequests > 0, 'the quota window was hit')
  t.ok(inReceiver.size > 0, 'the receiver caught what Loki refused')
  t.ok(inLoki.has(lines - 1), 'the last lines went to Loki again')
  t.match(warnings.join('\n'), /primary unavailable.*rate limited \(429/)
  t.match(warnings.join('\n'), /primary recovered/)
  t.ok(transport.stats().switches >= 3, 'at least diverted, probing, recovered')
  t.equal(transport.state, 'primary', 'ends on the primary')
})

t.test('trip() diverts at once, for providers whose quota signal cannot be seen', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const loki = await startFakeLoki({ acceptLines: 1_000_000, quotaMs: 0 })
  t.teardown(() => loki.close())
  const primary = new LokiTransport({ host: loki.url, json: true, batching: false, onConnectionError: () => {} })
  const transport = new TeknoTransport({ url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), primary, onWarning: () => {} })
  const logger = winston.createLogger({ transports: [transport] })
  logger.info('before', { i: 0 })
  await pause(100)
  transport.trip('monthly quota used up', 60_000)
  t.equal(transport.state, 'diverted')
  logger.info('after', { i: 1 })
  await transport.flush()
  const events = await allEvents(receiver)
  t.ok(events.some((e) => e.message === 'after'), 'the receiver has the line logged after trip()')
  t.notOk(loki.lines.some((l) => l.startsWith('after')), 'Loki does not')
  logger.close()
})

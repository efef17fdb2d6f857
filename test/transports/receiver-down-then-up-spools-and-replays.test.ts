import t from 'tap'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents, eventually } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { startGate } from './fixtures/helpers/gate.js'

t.test('receiver down then up: logs are spooled, replayed once each, and the next start replays the rest', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const gate = await startGate(receiver.url)
  t.teardown(() => gate.close())
  const dir = spoolDir(t)
  const options = { url: gate.url, key: receiver.key, secret: receiver.secret, spoolDir: dir, flushIntervalMs: 20, backoffBaseMs: 50, backoffMaxMs: 200, maxBufferBytes: 20_000 }
  const warnings: string[] = []
  const first = new TeknoTransport({ ...options, onWarning: (w) => warnings.push(w.message) })
  const logger = winston.createLogger({ transports: [first] })

  logger.info('before', { i: -1 })
  await first.flush()
  await gate.down()
  for (let i = 0; i < 1000; i++) logger.info('while down', { i })
  await first.flush()
  const down = first.stats()
  t.ok(down.unreachable, 'knows the receiver is away')
  t.ok(down.spoolBytes > 0, 'spooled')
  t.ok(down.bufferedBytes <= 20_000, 'memory under its cap')
  t.match(warnings.join('\n'), /receiver unavailable/)

  await gate.up()
  const events = await eventually(() => allEvents(receiver), (e) => e.length >= 1001)
  t.equal(events.length, 1001, 'every line once: nothing lost, no duplicates stored')
  t.equal(new Set(events.map((e) => e.context.i)).size, 1001)
  t.equal(first.stats().dropped, 0)

  // A process that ends while the receiver is away leaves its logs for the next start.
  await gate.down()
  for (let i = 1000; i < 1200; i++) logger.info('before exit', { i })
  logger.end()
  await new Promise((resolve) => first.once('finish', resolve))
  await gate.up()
  const second = new TeknoTransport(options)
  const after = await eventually(() => allEvents(receiver), (e) => e.length >= 1201)
  t.equal(after.length, 1201, 'the next start replayed the spool, once')
  t.equal(new Set(after.map((e) => e.context.i)).size, 1201)
  await second.flush()
  second.close()
})

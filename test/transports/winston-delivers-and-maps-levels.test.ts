import t from 'tap'
import winston from 'winston'
import { once } from 'node:events'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

t.test('winston logs reach the receiver with levels, stack, label and metadata mapped; end waits for delivery', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const transport = new TeknoTransport({ url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), level: 'silly' })
  const logger = winston.createLogger({
    level: 'silly',
    format: winston.format.combine(winston.format.label({ label: 'billing' }), winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
    transports: [transport]
  })
  let logged = 0
  transport.on('logged', () => logged++)
  for (const level of ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) logger.log(level, `a ${level} line`, { orderId: 12 })
  logger.error(new Error('card declined'))
  for (let i = 0; i < 1500; i++) logger.info('bulk', { i })
  logger.end()
  await once(transport, 'finish')
  t.equal(logged, 1508, "'logged' emitted for every line")

  const events = await allEvents(receiver)
  t.equal(events.length, 1508)
  const byMessage = (m: string) => events.find((e) => e.message === m)
  t.same(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'].map((l) => byMessage(`a ${l} line`)?.level),
    ['error', 'warn', 'info', 'debug', 'debug', 'debug', 'trace'])
  t.match(byMessage('a warn line'), { source: 'billing', context: { orderId: 12 } })
  const declined = byMessage('card declined')
  t.match(declined, { level: 'error', source: 'billing' })
  t.match(declined.stack, /^Error: card declined\n\s+at /)
  t.equal(new Set(events.filter((e) => e.message === 'bulk').map((e) => e.context.i)).size, 1500)
})

t.test('flush() drains on demand and a receiver that refuses the key is a warning, not an error', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const warnings: string[] = []
  const good = new TeknoTransport({ url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t) })
  const bad = new TeknoTransport({ url: receiver.url, key: receiver.key, secret: 'wrong', spoolDir: spoolDir(t), onWarning: (w) => warnings.push(w.message) })
  let errors = 0
  bad.on('error', () => errors++)
  const logger = winston.createLogger({ transports: [good, bad] })
  logger.info('one')
  logger.info('two')
  await good.flush()
  await bad.flush()
  t.equal((await allEvents(receiver)).length, 2, 'flush resolved after the receiver committed')
  t.equal(errors, 0, 'no error event')
  t.equal(warnings.length, 1, 'reported once')
  t.match(warnings[0], /refused 2 events \(401 TEKNO_ERR_\w+\)/)
  logger.close()
})

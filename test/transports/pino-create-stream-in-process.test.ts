import t from 'tap'
import pino from 'pino'
import { createStream } from 'tekno-logger/pino'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

t.test('createStream runs the transport in the app thread; flush() resolves once the receiver has the lines', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const stream = createStream({ url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), source: 'lambda' })
  const logger = pino({ level: 'trace', customLevels: { audit: 35 } }, stream)
  logger.trace('t')
  logger.audit('custom level between info and warn')
  logger.fatal({ err: new Error('out of memory') }, 'dying')
  for (let i = 0; i < 300; i++) logger.info({ i }, 'bulk')
  await stream.flush()
  const events = await allEvents(receiver)
  t.equal(events.length, 303, 'all there when flush() resolved')
  t.match(events.find((e) => e.message === 't'), { level: 'trace', source: 'lambda' })
  t.equal(events.find((e) => e.message.startsWith('custom'))?.level, 'info', 'a custom level falls to the standard level below it')
  t.match(events.find((e) => e.level === 'fatal'), { message: 'dying', stack: /^Error: out of memory/ })
  t.equal(stream.stats().sent, 303)
  stream.end()
  await new Promise((resolve) => stream.on('close', resolve))
})

import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'

t.test('every line an app logs through the pino worker before a normal exit is stored once', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const lines = 3000
  const app = runApp('pino-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t) }, { LINES: String(lines) })
  t.equal(await app.exited, 0, app.stderr())
  t.equal(app.stderr(), '', 'no warnings when the receiver is healthy')

  const events = await allEvents(receiver)
  t.equal(events.length, lines + 1, 'nothing lost, nothing stored twice')
  const seen = new Set(events.filter((e) => e.level === 'info').map((e) => e.context.i))
  t.equal(seen.size, lines)
  const info = events.find((e) => e.context?.i === 42)
  t.match(info, { level: 'info', message: 'line 42', source: 'fixture', context: { userId: 7 } })
  t.ok(info.context.hostname, 'hostname kept in context')
  t.ok(Math.abs(Date.parse(info.ts) - Date.now()) < 60_000, 'ts comes from pino time')
  const error = events.find((e) => e.level === 'error')
  t.match(error, { message: 'query failed', source: 'fixture' })
  t.match(error.stack, /Error: db timeout\n\s+at /)
  t.equal(error.context.err.type, 'Error')
})

t.test('an app that awaits the worker before building its logger, with its own messageKey', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const app = runApp('pino-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t) }, { LINES: '10', READY_FIRST: '1', MESSAGE_KEY: 'text' })
  t.equal(await app.exited, 0, app.stderr())
  const events = await allEvents(receiver)
  t.equal(events.length, 11)
  t.ok(events.some((e) => e.message === 'line 3'), 'the message comes from the configured messageKey')
})

t.test('a line that is not JSON is stored as its text, not dropped', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const app = runApp('pino-app.mjs', { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t) }, { LINES: '5', FOREIGN_LINE: 'plain text {not json' })
  t.equal(await app.exited, 0, app.stderr())
  const events = await allEvents(receiver)
  t.equal(events.length, 7, 'the foreign line, five lines and the error')
  t.match(events.find((e) => e.message === 'plain text {not json'), { level: 'info' })
})

import t from 'tap'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { allEvents, storedIndexes, upTo } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'

// process.exit() right after logging leaves a transport in the app's thread no turn to send: the
// lines used to be lost. On 'exit' they go to the spool with synchronous writes, and the next
// transport with the same receiver and key sends them. (pino.transport's worker is given its
// close by pino itself; pino's createStream still holds such lines unread in the stream's own
// buffers when 'exit' comes, which docs/transports.md says.)

t.test('winston: lines logged just before process.exit() reach the receiver through the spool', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const dir = spoolDir(t)
  const options = { url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: dir }
  const app = runApp('exit-at-once-app.mjs', options, { LINES: '500' })
  t.equal(await app.exited, 0, app.stderr())
  t.equal(readdirSync(dir).length, 1, 'the app left a spool file')
  t.same(await allEvents(receiver), [], 'and sent nothing itself')

  // The app's next start: a transport with the same receiver and key.
  const next = new TeknoTransport(options)
  const finished = once(next, 'finish')
  winston.createLogger({ transports: [next] }).end()
  await finished
  t.same(await storedIndexes(receiver), upTo(500), 'every line, once')
  t.same(readdirSync(dir), [], 'and the spool is empty again')
})

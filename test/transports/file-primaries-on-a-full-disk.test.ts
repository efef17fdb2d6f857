import t from 'tap'
import { once } from 'node:events'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import winston from 'winston'
import DailyRotateFile from 'winston-daily-rotate-file'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'
import { storedIndexes, upTo } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'
import { runApp } from './fixtures/helpers/child.js'

// A full disk is when a file primary loses lines; /dev/full answers every write with ENOSPC, as a
// full disk does. winston's File only logs its file stream's errors under DEBUG: before the
// transport read the stream's state, the lines piled up in the logger in front of the stopped
// stream, none reached the receiver, and a process with nothing else to do exited with all of
// them. pino/file's sonic-boom reports its errors, but it took a burst whole without pushing
// back: 15 000 of 20 000 lines were past the ring when the first write failed, and were lost.
// winston-daily-rotate-file never listens to its file stream: a full disk crashed the app.

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function fullDisk (t: { teardown (fn: () => void): void }, receiver: RunningReceiver, warnings: string[]): { transport: TeknoTransport, logger: winston.Logger } {
  const primary = new winston.transports.File({ filename: '/dev/full' })
  const transport = new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 50, primary, onWarning: (w) => warnings.push(w.message)
  })
  return { transport, logger: winston.createLogger({ transports: [transport] }) }
}

/** Lines not stored (a failing file may have written some too, so duplicates are allowed here). */
async function missingFrom (receiver: RunningReceiver, lines: number): Promise<number[]> {
  const stored = new Set(await storedIndexes(receiver))
  return upTo(lines).filter((i) => !stored.has(i))
}

t.test('a burst of more lines than the ring holds, logged into a File on a full disk, all reaches the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const warnings: string[] = []
  const { transport, logger } = fullDisk(t, receiver, warnings)
  const lines = 12_000 // more than the default ring of 5 000
  for (let i = 0; i < lines; i++) logger.info(`line ${i}`, { i })
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  t.same(await missingFrom(receiver, lines), [], 'no line is missing')
  t.ok(warnings.some((w) => w.includes('/dev/full') && w.includes('ENOSPC')), `a warning names the file and the error: ${warnings.join(' | ')}`)
  t.ok(transport.stats().switches >= 1, 'the primary was tripped')
})

t.test('an app that keeps logging into a File on a full disk is not held back, and loses nothing', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const { transport, logger } = fullDisk(t, receiver, [])
  let i = 0
  while (i < 1000) {
    for (let n = 0; n < 10; n++) logger.info(`line ${i}`, { i: i++ })
    await pause(10)
  }
  // Before, the File held each line for a second: 2 209 lines were waiting in the logger after 3 s.
  t.ok(logger.writableLength < 50, `the logger keeps up (${logger.writableLength} lines waiting in it)`)
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  t.same(await missingFrom(receiver, 1000), [], 'no line is missing')
})

t.test('a burst of more lines than the ring holds, logged through pino into a pino/file primary on a full disk, all reaches the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const lines = 12_000
  const app = runApp('pino-app.mjs', {
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), primary: { target: 'pino/file', options: { destination: '/dev/full' } }
  }, { MODE: 'exit', LINES: String(lines) })
  t.equal(await app.exited, 0, app.stderr())
  t.same(await missingFrom(receiver, lines), [], 'no line is missing')
  t.match(app.stderr(), /primary unavailable.*ENOSPC/, 'the switch is reported with the error')
})

t.test('winston-daily-rotate-file on a full disk: the app keeps running and every line reaches the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  // Its file for this year is /dev/full: the first write fails with ENOSPC, as on a full disk.
  const dir = mkdtempSync(join(tmpdir(), 'tekno-rotate-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync('/dev/full', join(dir, `app-${new Date().getFullYear()}.log`))
  const warnings: string[] = []
  const primary = new DailyRotateFile({ dirname: dir, filename: 'app-%DATE%.log', datePattern: 'YYYY' })
  const transport = new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 50, primary, onWarning: (w) => warnings.push(w.message)
  })
  const logger = winston.createLogger({ transports: [transport] })
  let i = 0
  while (i < 1000) {
    for (let n = 0; n < 10; n++) logger.info(`line ${i}`, { i: i++ })
    await pause(10)
  }
  const finished = once(transport, 'finish')
  logger.end()
  await finished
  t.same(await missingFrom(receiver, 1000), [], 'no line is missing')
  t.ok(warnings.some((w) => w.includes('ENOSPC')), `the switch names the error: ${warnings.join(' | ')}`)
})

import t from 'tap'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import winston from 'winston'
import Transport from 'winston-transport'
import { TeknoTransport } from 'tekno-logger/winston'
import { spoolDir } from './fixtures/helpers/dirs.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Ends the logger and waits until the transport has finished: its closing spools what no primary
 * confirmed (port 9 refuses it), and the test's spool folder must still be there to take it.
 */
async function end (logger: winston.Logger, transport: TeknoTransport): Promise<void> {
  const finished = once(transport, 'finish')
  logger.end()
  await finished
}

/** Nothing listens on port 9 of 127.0.0.1 and no line should go there: every primary here is healthy. */
function teknoWith (t: { teardown (fn: () => void): void }, primary: Transport): TeknoTransport {
  return new TeknoTransport({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: spoolDir(t), primary, onWarning: () => {} })
}

t.test('a File primary writes only its own level and above, through its own format', async (t) => {
  const filename = join(spoolDir(t), 'app.log')
  const primary = new winston.transports.File({
    filename,
    level: 'warn',
    format: winston.format.printf((info) => `${String(info.level)}|${String(info.message)}|${String(info.i)}`)
  })
  const transport = teknoWith(t, primary)
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [transport] })
  logger.debug('below the primary', { i: 0 })
  logger.info('below the primary', { i: 1 })
  logger.warn('kept', { i: 2 })
  logger.error('kept', { i: 3 })
  logger.log({ level: 'error', message: 'an exception the primary does not handle', exception: true, i: 4 })
  t.equal(transport.stats().sent + transport.stats().spooled + transport.stats().bufferedBytes, 0, 'nothing was diverted')
  await end(logger, transport)
  await pause(50)

  t.same(readFileSync(filename, 'utf8').trim().split('\n'), ['warn|kept|2', 'error|kept|3'])
})

t.test('a silent primary gets nothing, and a format that drops a line drops it', async (t) => {
  const seen: string[] = []
  class Recorder extends Transport {
    override log (info: Record<string, unknown>, callback: () => void): void {
      seen.push(String(info.message))
      callback()
    }
  }
  const silent = new Recorder({ silent: true })
  const dropping = new Recorder({ format: winston.format((info) => info.message === 'drop me' ? false : info)() })
  const pairs = [silent, dropping].map((primary) => {
    const transport = teknoWith(t, primary)
    return { transport, logger: winston.createLogger({ transports: [transport] }) }
  })
  for (const { logger } of pairs) {
    logger.info('keep me')
    logger.info('drop me')
  }
  await pause(20)
  t.same(seen, ['keep me'], 'only the dropping primary\'s kept line')
  await Promise.all(pairs.map(({ logger, transport }) => end(logger, transport)))
})

t.test('a primary with a _write of its own still gets every line through write()', async (t) => {
  const written: number[] = []
  class OwnWrite extends Transport {
    override _write (info: Record<string, unknown>, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
      written.push(info.i as number)
      callback()
    }

    override log (_info: unknown, callback: () => void): void {
      t.fail('log() is not this transport\'s entry point')
      callback()
    }
  }
  const transport = teknoWith(t, new OwnWrite())
  const logger = winston.createLogger({ transports: [transport] })
  for (let i = 0; i < 500; i++) logger.info('line', { i })
  await pause(100)
  t.equal(written.length, 500, 'every line')
  t.ok(written.every((n, i) => n === i), 'in order')
  await end(logger, transport)
})

t.test('a primary that never finishes a line holds the logger back for a second, not for ever', async (t) => {
  const seen: number[] = []
  class Stuck extends Transport {
    override log (info: Record<string, unknown>): void {
      seen.push(info.i as number)
    }
  }
  const transport = teknoWith(t, new Stuck())
  const logger = winston.createLogger({ transports: [transport] })
  let logged = 0
  transport.on('logged', () => { logged++ })
  const started = Date.now()
  for (let i = 0; i < 3; i++) logger.info('line', { i })
  while (seen.length < 3 && Date.now() - started < 10_000) await pause(50)
  t.same(seen, [0, 1, 2], 'the primary was handed every line, in order')
  const waited = Date.now() - started
  t.ok(waited >= 900, `the next lines waited for the first (${waited} ms)`)
  t.equal(logged, 3)
  await end(logger, transport)
})

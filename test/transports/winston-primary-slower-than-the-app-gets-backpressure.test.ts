import t from 'tap'
import winston from 'winston'
import Transport from 'winston-transport'
import { TeknoTransport } from 'tekno-logger/winston'
import { spoolDir } from './fixtures/helpers/dirs.js'

/** A primary that takes a turn of the event loop per line, like a file or a socket under load. */
class SlowPrimary extends Transport {
  seen: number[] = []
  maxQueued = 0
  /** The transport in front of this one: lines held back queue there now, not here. */
  front: Transport | null = null
  /** Lines given to log() whose callback has not run yet. */
  unfinished = 0
  maxUnfinished = 0
  override log (info: Record<string, unknown>, callback: () => void): void {
    this.seen.push(info.i as number)
    this.maxQueued = Math.max(this.maxQueued, this.writableLength + (this.front?.writableLength ?? 0))
    this.maxUnfinished = Math.max(this.maxUnfinished, ++this.unfinished)
    setImmediate(() => {
      this.unfinished--
      callback()
    })
  }
}

t.test('a primary slower than the app holds the logger back instead of queueing every line', async (t) => {
  const primary = new SlowPrimary()
  // Nothing listens on port 9 of 127.0.0.1 and no line should go there: the primary is healthy.
  const transport = new TeknoTransport({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: spoolDir(t), primary, onWarning: () => {} })
  primary.front = transport
  const logger = winston.createLogger({ transports: [transport] })
  const lines = 20_000
  let logged = 0
  const all = new Promise<void>((resolve) => transport.on('logged', () => { if (++logged === lines) resolve() }))
  for (let i = 0; i < lines; i++) logger.info('line', { i })
  await all

  t.equal(primary.seen.length, lines, 'the primary got every line')
  t.ok(primary.seen.every((n, i) => n === i), 'in order')
  // winston's own highWaterMark is 16 objects; unheeded backpressure would queue all 20 000.
  t.ok(primary.maxQueued <= 64, `the write buffers in front of the primary stayed short (at most ${primary.maxQueued})`)
  t.ok(primary.maxUnfinished <= 64, `the primary was not handed lines faster than it finished them (at most ${primary.maxUnfinished} at once)`)
  t.equal(transport.stats().sent + transport.stats().spooled, 0, 'nothing was diverted while logging')
})

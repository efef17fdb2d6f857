import t from 'tap'
import { once } from 'node:events'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver } from '../helpers/receiver.js'
import { storedIndexes, upTo } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

// The receiver refuses a timestamp more than 300 s from its clock (401 TEKNO_ERR_STALE_TIMESTAMP).
// A machine whose clock is off by more (a VM back from suspend, a container without NTP) had
// every batch refused and dropped. The refusal carries the receiver's Date header: the transport
// signs with the receiver's time from then on. Here the app's clock is set back, not the receiver's.

for (const skewMinutes of [-10, 10]) {
  t.test(`an app whose clock is ${Math.abs(skewMinutes)} minutes ${skewMinutes < 0 ? 'slow' : 'fast'}: every line is stored, with a warning`, async (t) => {
    const receiver = await startReceiver()
    t.teardown(() => receiver.close())
    const warnings: Array<{ kind: string, message: string }> = []
    const transport = new TeknoTransport({
      url: receiver.url,
      key: receiver.key,
      secret: receiver.secret,
      spoolDir: spoolDir(t),
      flushIntervalMs: 20,
      now: () => Date.now() + skewMinutes * 60_000,
      onWarning: (w) => warnings.push(w)
    })
    const logger = winston.createLogger({ transports: [transport] })
    for (let i = 0; i < 100; i++) logger.info(`line ${i}`, { i })
    const finished = once(transport, 'finish')
    logger.end()
    await finished
    t.same(await storedIndexes(receiver), upTo(100), 'every line, once')
    t.same(transport.stats().rejected, 0, 'no batch refused for good')
    const skew = warnings.filter((w) => w.kind === 'clock-skew')
    t.equal(skew.length, 1, 'one warning')
    t.match(skew[0]?.message, skewMinutes < 0 ? /clock is (599|600|601) s behind/ : /clock is (599|600|601) s ahead of/)
  })
}

import t from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import winston from 'winston'
import { TeknoTransport } from 'tekno-logger/winston'
import { startReceiver, type RunningReceiver } from '../helpers/receiver.js'
import { storedIndexes as received, upTo } from './fixtures/helpers/events.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

// winston's own Http transport as the primary, against a real HTTP server on loopback. It keeps a
// bare host, a port and `ssl` apart, so its requests were not recognised as the primary's, and it
// reports failures as 'warn', not 'error': a provider that refused or rate-limited it went unseen.
// It sends a request a line and calls back on the next turn, so a burst ended with logger.end()
// left lines waiting in the logger, which winston ended the transport in front of: the app threw
// 'write after end'.

interface Provider { url: string, port: number, lines: number[], close: () => Promise<void> }

async function startProvider (status: number, headers: Record<string, string> = {}): Promise<Provider> {
  const lines: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      if (status === 200) lines.push((JSON.parse(body) as { i: number }).i)
      res.writeHead(status, headers).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    lines,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

function httpPrimary (t: { teardown (fn: () => void): void }, receiver: RunningReceiver, port: number, warnings: string[] = []): { transport: TeknoTransport, logger: winston.Logger } {
  const primary = new winston.transports.Http({ host: '127.0.0.1', port })
  const transport = new TeknoTransport({
    url: receiver.url, key: receiver.key, secret: receiver.secret, spoolDir: spoolDir(t), flushIntervalMs: 50, primary, onWarning: (w) => warnings.push(w.message)
  })
  return { transport, logger: winston.createLogger({ transports: [transport] }) }
}


t.test('a burst ended at once with logger.end(): no error, every line at the provider, none sent twice', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const provider = await startProvider(200)
  t.teardown(() => provider.close())
  const warnings: string[] = []
  const { logger } = httpPrimary(t, receiver, provider.port, warnings)
  const errors: Error[] = []
  logger.on('error', (err: Error) => errors.push(err))
  const lines = 2000
  for (let i = 0; i < lines; i++) logger.info(`line ${i}`, { i })
  const finished = once(logger, 'finish')
  logger.end()
  await finished
  t.same(errors.map((e) => e.message), [], 'no write after end')
  t.same([...provider.lines].sort((a, b) => a - b), upTo(lines), 'the provider has every line')
  t.same(await received(receiver), [], 'every request was answered before closing, so none is replayed')
  t.same(warnings, [], 'and the primary\'s requests were recognised: no warning that they cannot be')
})

/** 300 lines in bursts of 50, then logger.end(); resolves once the transport has finished. */
async function logAndEnd (transport: TeknoTransport, logger: winston.Logger): Promise<void> {
  for (let i = 0; i < 300; i++) {
    logger.info(`line ${i}`, { i })
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const finished = once(transport, 'finish')
  logger.end()
  await finished
}

for (const { status, headers, expect } of [
  { status: 429, headers: { 'retry-after': '30' }, expect: /rate limited \(429\)/ },
  { status: 500, headers: {}, expect: /failing \(500\)/ }
]) {
  t.test(`a provider answering ${status}: the lines go to the receiver`, async (t) => {
    const receiver = await startReceiver()
    t.teardown(() => receiver.close())
    const provider = await startProvider(status, headers)
    t.teardown(() => provider.close())
    const warnings: string[] = []
    const { transport, logger } = httpPrimary(t, receiver, provider.port, warnings)
    await logAndEnd(transport, logger)
    t.same(await received(receiver), upTo(300), 'the receiver has every line, once')
    t.ok(warnings.some((w) => expect.test(w)), `the switch names the answer: ${warnings.join(' | ')}`)
    t.equal(transport.state, 'diverted')
  })
}

t.test('a provider that refuses connections: the lines go to the receiver', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const provider = await startProvider(200)
  await provider.close() // its port now refuses
  const warnings: string[] = []
  const { transport, logger } = httpPrimary(t, receiver, provider.port, warnings)
  await logAndEnd(transport, logger)
  t.same(await received(receiver), upTo(300), 'the receiver has every line, once')
  t.ok(warnings.some((w) => /ECONNREFUSED/.test(w)), `the switch names the refusal: ${warnings.join(' | ')}`)
})

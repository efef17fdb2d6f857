import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolveOptions } from '../../transports/dist/core/options.js'
import { Shipper } from '../../transports/dist/core/shipper.js'
import { Overflow } from '../../transports/dist/core/overflow.js'
import { accepted, fakeFetch } from './fixtures/helpers/fake-fetch.js'

/**
 * A provider on loopback, and an Overflow in front of it whose receiver is a fake fetch.
 * pushOutOfOrder: lines a-c are pushed to /slow, then d-e to /fast, which is answered first; /slow
 * is answered (with `slowStatus`) after it. The pushes are made here, as a primary's would be: the
 * overflow sees them through the diagnostics channels.
 */
async function slowAndFast (t: { teardown (fn: () => void): void }, slowStatus: number): Promise<{ overflow: Overflow<string>, shipper: Shipper, pushOutOfOrder: () => Promise<void>, sent: () => string[] }> {
  let releaseSlow = (): void => {}
  const server = createServer((req, res) => {
    req.resume()
    if (req.url === '/slow') releaseSlow = () => res.writeHead(slowStatus).end('boom')
    else res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const receiver = fakeFetch([accepted()])
  const options = resolveOptions({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: false, fetch: receiver.fetch, onWarning: () => {} })
  const shipper = new Shipper(options)
  const overflow = new Overflow<string>({
    options, shipper, toEvent: (line) => ({ level: 'info', message: line }), sink: () => {}, origins: [origin], watchAllOrigins: false
  })
  const push = (path: string): Promise<Response> => fetch(`${origin}${path}`, { method: 'POST', body: path })
  return {
    overflow,
    shipper,
    async pushOutOfOrder () {
      for (const line of ['a', 'b', 'c']) overflow.write(line)
      const slow = push('/slow')
      for (const line of ['d', 'e']) overflow.write(line)
      await push('/fast')
      releaseSlow()
      await slow
    },
    sent: () => receiver.calls.flatMap((c) => c.json.events.map((e: any) => e.message))
  }
}

t.test('a push that fails after a later one succeeded still has its lines replayed to the receiver', async (t) => {
  // The provider answers /slow with a 500 after the fast push has already succeeded.
  const { overflow, shipper, pushOutOfOrder, sent } = await slowAndFast(t, 500)
  t.teardown(() => overflow.close())
  await pushOutOfOrder()
  await shipper.flush()
  t.same(sent(), ['a', 'b', 'c'], 'the failed push lines, and only those')
  t.equal(overflow.state, 'primary', 'one 500 is not enough to divert')
  await shipper.close()
})

t.test('pushes answered out of order: once the earlier one succeeds too, the later one\'s lines are confirmed with it', async (t) => {
  // winston's Http sends a request a line, many at once; they need not finish in order.
  const { overflow, shipper, pushOutOfOrder, sent } = await slowAndFast(t, 204)
  await pushOutOfOrder()
  t.equal(overflow.inflight, 0, 'both answered')
  overflow.write('f')
  // Closing a primary that did not end locally replays whatever is unconfirmed: only 'f' is.
  overflow.close(false)
  await shipper.close()
  t.same(sent(), ['f'], 'a to e were delivered by the primary, only f was never pushed')
})

t.test('close: a local primary that ended cleanly confirms its lines; any doubt replays them', async (t) => {
  const closeWith = async (before: (overflow: Overflow<string>) => Promise<void> | void, endedLocally: boolean, origins: string[] = []): Promise<string[]> => {
    const receiver = fakeFetch([accepted(), accepted(), accepted()])
    const options = resolveOptions({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: false, fetch: receiver.fetch, onWarning: () => {} })
    const shipper = new Shipper(options)
    const overflow = new Overflow<string>({ options, shipper, toEvent: (line) => ({ level: 'info', message: line }), sink: () => {}, origins, watchAllOrigins: false })
    for (const line of ['a', 'b']) overflow.write(line)
    await before(overflow)
    overflow.write('c')
    overflow.close(endedLocally)
    await shipper.close()
    return receiver.calls.flatMap((c) => c.json.events.map((e: any) => e.message))
  }
  t.same(await closeWith(() => {}, true), [], 'a file or the console that ended in time holds them all')
  t.same(await closeWith(() => {}, false), ['a', 'b', 'c'], 'one that did not end in time: all of them')
  t.same(await closeWith((o) => { o.result({ ok: false, message: 'EIO' }, undefined) }, true), ['a', 'b', 'c'],
    'one that failed on the way: its end proves nothing')
  t.same(await closeWith((o) => { o.trip() }, true), ['a', 'b', 'c'], 'nor after a trip')

  const server = createServer((req, res) => { req.resume(); res.writeHead(204).end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  t.same(await closeWith(async () => { await fetch(`${origin}/push`, { method: 'POST', body: 'a b' }) }, true, [origin]), ['c'],
    'a primary seen making requests is judged by their answers: what none confirmed is replayed')
})

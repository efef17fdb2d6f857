import t from 'tap'
import { classify, Failover, type State } from '../../transports/dist/core/failover.js'
import { Ring } from '../../transports/dist/core/ring.js'
import { resolveOptions } from '../../transports/dist/core/options.js'

const failoverOptions = resolveOptions({
  url: 'http://127.0.0.1:9', key: 'k', secret: 's',
  failover: { failureThreshold: 3, successesToRecover: 2, backoffMs: 1000, backoffMaxMs: 8000, rateLimitMs: 30_000, quotaMs: 600_000 }
}).failover

function machine () {
  let now = 0
  const switches: Array<[State, string]> = []
  const failover = new Failover(failoverOptions, () => now, () => 0, (state: State, reason: string) => switches.push([state, reason]))
  return { failover, switches, advance: (ms: number) => { now += ms } }
}

t.test('answers are classified, not merely counted', async (t) => {
  const table: Array<[Parameters<typeof classify>[0], string]> = [
    [{ ok: false, status: 429 }, 'rate'],
    [{ ok: false, status: 402 }, 'quota'],
    [{ ok: false, status: 403 }, 'quota'],
    [{ ok: false, status: 403, message: 'monthly quota exceeded' }, 'quota'],
    [{ ok: false, status: 403, message: 'invalid token' }, 'error'],
    [{ ok: false, status: 413, message: 'daily limit reached' }, 'quota'],
    [{ ok: false, status: 413, message: 'entry too large' }, 'error'],
    [{ ok: false, status: 500 }, 'error'],
    [{ ok: false, status: 503 }, 'error'],
    [{ ok: false, message: 'ECONNREFUSED' }, 'error'],
    [{ ok: false, message: 'ingestion quota used up' }, 'quota']
  ]
  for (const [result, kind] of table) t.equal(classify(result), kind, `${result.status ?? '-'} ${result.message ?? ''}`)
})

t.test('429 diverts at once for Retry-After, then probes and needs successes in a row', async (t) => {
  const { failover, switches, advance } = machine()
  t.equal(failover.route(), 'primary')
  t.equal(failover.record({ ok: false, status: 429, retryAfterMs: 2000 }), true, 'tripped')
  t.equal(failover.route(), 'receiver')
  advance(1999)
  t.equal(failover.route(), 'receiver', 'still inside Retry-After')
  advance(1)
  t.equal(failover.route(), 'both', 'probing sends to both so a failed probe loses nothing')
  failover.record({ ok: true })
  t.equal(failover.state, 'probing', 'one success is not enough')
  failover.record({ ok: true })
  t.equal(failover.route(), 'primary')
  t.same(switches.map(([s]) => s), ['diverted', 'probing', 'primary'], 'each switch reported once')
})

t.test('5xx and network errors trip only after a few in a row; failed probes back off further', async (t) => {
  const { failover, advance } = machine()
  t.equal(failover.record({ ok: false, status: 502 }), false)
  t.equal(failover.record({ ok: true }), false, 'a success resets the streak')
  failover.record({ ok: false, status: 502 })
  failover.record({ ok: false, message: 'ECONNRESET' })
  t.equal(failover.state, 'primary')
  t.equal(failover.record({ ok: false, status: 503 }), true, 'third in a row trips')
  advance(499)
  t.equal(failover.route(), 'receiver', 'first pause is half of backoffMs plus jitter (none here)')
  advance(1)
  t.equal(failover.route(), 'both')
  t.equal(failover.record({ ok: false, status: 500 }), true, 'a failed probe trips again at once')
  advance(999)
  t.equal(failover.route(), 'receiver', 'second pause is twice as long')
  advance(1)
  t.equal(failover.route(), 'both')
})

t.test('402 keeps the primary off for long; trip() takes an explicit duration', async (t) => {
  const { failover, advance } = machine()
  failover.record({ ok: false, status: 402 })
  advance(599_999)
  t.equal(failover.route(), 'receiver')
  advance(1)
  t.equal(failover.route(), 'both')
  failover.record({ ok: true })
  failover.record({ ok: true })
  failover.trip('app says so', 10)
  t.equal(failover.route(), 'receiver')
  advance(10)
  t.equal(failover.route(), 'both')
})

t.test('the ring replays only what no success has confirmed, each line once', async (t) => {
  const ring = new Ring<string>(3)
  for (const line of ['a', 'b', 'c']) ring.push(line)
  ring.confirm(1)
  t.same(ring.take(2), ['b'], 'up to the failed request')
  ring.push('d')
  ring.push('e')
  t.same(ring.take(), ['c', 'd', 'e'], 'bounded to the last 3, oldest first')
  t.same(ring.take(), [], 'nothing twice')
})

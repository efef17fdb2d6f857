import t from 'tap'
import { resolveOptions } from '../../transports/dist/core/options.js'
import { Shipper } from '../../transports/dist/core/shipper.js'
import { backoffDelay, parseRetryAfter } from '../../transports/dist/core/backoff.js'
import { accepted, answer, fakeFetch, refused } from './fixtures/helpers/fake-fetch.js'

function shipperWith (answers: Parameters<typeof fakeFetch>[0], extra: Record<string, unknown> = {}) {
  const { fetch, calls } = fakeFetch(answers)
  const delays: number[] = []
  const warnings: string[] = []
  const shipper = new Shipper(resolveOptions({
    url: 'http://127.0.0.1:9',
    key: 'k',
    secret: 's',
    spoolDir: false,
    fetch,
    // The injected sleep returns at once: retry windows are checked by what was asked for.
    sleep: async (ms: number) => { delays.push(ms) },
    random: () => 0.5,
    onWarning: (w) => warnings.push(w.message),
    ...extra
  }))
  return { shipper, calls, delays, warnings }
}

async function until (check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5))
}

t.test('Retry-After and backoff parsing', async (t) => {
  t.equal(parseRetryAfter('3', 0), 3000)
  t.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000)
  t.equal(parseRetryAfter('soon', 0), undefined)
  t.equal(parseRetryAfter(null, 0), undefined)
  t.same([0, 1, 2, 3].map((n) => backoffDelay(n, 100, 1000, () => 0)), [50, 100, 200, 400], 'half fixed, doubling')
  t.equal(backoffDelay(20, 100, 1000, () => 1), 1000, 'capped')
})

t.test('429 waits for Retry-After and the batch keeps its batch_id', async (t) => {
  const { shipper, calls, delays, warnings } = shipperWith([
    answer(429, { code: 'TEKNO_ERR_RATE_LIMITED', message: 'slow down', scope: 'project', retry_after: 2 }, { 'retry-after': '2' }),
    answer(503, { code: 'TEKNO_ERR_STORAGE_UNAVAILABLE', message: 'db away' }, { 'retry-after': '1' }),
    refused(),
    accepted()
  ])
  shipper.push({ level: 'warn', message: 'hello' })
  // flush() stops waiting once the receiver is known away, so wait for the delivery itself.
  await until(() => shipper.stats().sent === 1)
  await shipper.close()
  t.equal(calls.length, 4)
  t.equal(new Set(calls.map((c) => c.json.batch_id)).size, 1, 'one batch_id across retries')
  t.ok(delays[0]! >= 2000 && delays[0]! <= 3000, `429 waited ${delays[0]} ms for Retry-After: 2`)
  t.ok(delays[1]! >= 1000 && delays[1]! <= 2000, `503 waited ${delays[1]} ms for Retry-After: 1`)
  t.equal(delays[2], 1500, 'a refused connection backs off exponentially (third attempt, base 500 ms)')
  t.equal(warnings.length, 2, 'each kind reported once while it lasted')
  t.match(warnings[0], /rate-limiting these logs.*429 TEKNO_ERR_RATE_LIMITED: slow down/, 'a 429 as a rate limit')
  t.match(warnings[1], /receiver unavailable.*503 TEKNO_ERR_STORAGE_UNAVAILABLE: db away/, 'a 503 as an unavailable receiver')
  t.equal(shipper.stats().sent, 1)
})

t.test('a 4xx is not retried and is reported once with the receiver message', async (t) => {
  const { shipper, calls, warnings } = shipperWith([answer(401, { code: 'TEKNO_ERR_BAD_SIGNATURE', message: 'signature does not match' })])
  shipper.push({ level: 'info', message: 'a' })
  await shipper.flush()
  shipper.push({ level: 'info', message: 'b' })
  await shipper.flush()
  await shipper.close()
  t.equal(calls.length, 2, 'each batch tried once')
  t.same(warnings, ['tekno-logger: the receiver refused 1 events (401 TEKNO_ERR_BAD_SIGNATURE): signature does not match'])
  t.equal(shipper.stats().rejected, 2, 'counted every time')
})

t.test('exponential backoff grows while the receiver stays away', async (t) => {
  let n = 0
  const { shipper, delays } = shipperWith([() => (++n > 5 ? accepted() : refused())], { backoffBaseMs: 100, backoffMaxMs: 1000 })
  shipper.push({ level: 'info', message: 'x' })
  await until(() => shipper.stats().sent === 1)
  await shipper.close()
  t.same(delays.slice(0, 5), [75, 150, 300, 600, 750], 'doubling with jitter, capped')
})

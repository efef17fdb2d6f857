import t from 'tap'
import { resolveOptions } from '../../transports/dist/core/options.js'
import { Shipper } from '../../transports/dist/core/shipper.js'
import { accepted, answer, fakeFetch } from './fixtures/helpers/fake-fetch.js'

function withConfig (config: unknown, extra: Record<string, unknown> = {}) {
  const batches = fakeFetch([accepted()])
  const fetch = (async (url: unknown, init?: RequestInit) => {
    if (String(url).endsWith('/config')) return config instanceof Response ? config : answer(200, config)
    return batches.fetch(url as string, init)
  }) as typeof globalThis.fetch
  const warnings: string[] = []
  const shipper = new Shipper(resolveOptions({ url: 'http://127.0.0.1:9', key: 'k', secret: 's', spoolDir: false, remoteConfig: true, fetch, random: () => 0.7, onWarning: (w) => warnings.push(w.message), ...extra }))
  return { shipper, calls: batches.calls, warnings }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20))

t.test('min_level and sampling from GET /config apply to the next events; warn and above are never sampled', async (t) => {
  // The shape the receiver's GET /config answers with (docs/limits-and-maintenance.md).
  const { shipper, calls } = withConfig({ min_level: 'debug', sample_rates: { trace: 0.5, debug: 0.5, info: 0.5, warn: 0.5, error: 0.5, fatal: 1 } })
  await tick()
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) shipper.push({ level, message: level })
  await shipper.flush()
  await shipper.close()
  // random() is 0.7 >= 0.5, so every sampled level is left out
  t.same(calls.flatMap((c) => c.json.events.map((e: any) => e.level)), ['warn', 'error'])
})

t.test('the receiver can raise the floor but never lower the local minLevel', async (t) => {
  const { shipper, calls } = withConfig({ min_level: 'trace' }, { minLevel: 'warn' })
  await tick()
  shipper.push({ level: 'info', message: 'no' })
  shipper.push({ level: 'warn', message: 'yes' })
  await shipper.flush()
  await shipper.close()
  t.same(calls.flatMap((c) => c.json.events.map((e: any) => e.message)), ['yes'])
})

t.test('an unreadable config is a warning and local options stay', async (t) => {
  const { shipper, calls, warnings } = withConfig(answer(404, { code: 'TEKNO_ERR_NOT_FOUND', message: 'no' }))
  await tick()
  shipper.push({ level: 'debug', message: 'kept' })
  await shipper.flush()
  await shipper.close()
  t.equal(calls.length, 1)
  t.match(warnings, [/could not read the receiver's client config, using local options: GET \/config answered 404/])
})

t.test('against the real receiver: a project\'s client_config reaches the transport', async (t) => {
  const { startReceiver } = await import('../helpers/receiver.js')
  const r = await startReceiver()
  t.teardown(() => r.close())
  const patched = await r.admin('PATCH', `/admin/projects/${r.projectId}`, { client_config: { min_level: 'info', sample_rates: { info: 0 } } })
  t.equal(patched.status, 200)
  const shipper = new Shipper(resolveOptions({ url: r.url, key: r.key, secret: r.secret, spoolDir: false, remoteConfig: true }))
  // The config is read in the background when the shipper starts; give that round trip time.
  await new Promise((resolve) => setTimeout(resolve, 500))
  for (const level of ['debug', 'info', 'warn', 'error'] as const) shipper.push({ level, message: level })
  await shipper.flush()
  await shipper.close()
  t.same((await r.fetchEvents()).map((e) => e.message).sort(), ['error', 'warn'], 'debug is under min_level, info is sampled at 0')
})

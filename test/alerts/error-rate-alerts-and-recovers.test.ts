import t from 'tap'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// errors per minute over the threshold: one alert; a recovery message once the last minute is
// back under it; a new burst inside the suppression period stays quiet; after it, a new alert.

const MINUTE = 60_000
const burst = (n: number, tag: string) => Array.from({ length: n }, (_, i) => errorEvent(`${tag} failure ${i}`))

for (const backend of backends()) {
  t.test(`${backend}: error rate alert, recovery and suppression`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 0, error_rate_threshold: 10 })

    await rx.send([...burst(9, 'a'), { level: 'info', message: 'fine' }])
    await rx.idle()
    t.equal(discord.messages.length, 0, 'nine errors a minute are under the threshold of ten')

    await rx.send(burst(1, 'b'))
    await rx.idle()
    t.equal(discord.messages.length, 1, 'the tenth error in the minute alerts')
    const alert = discord.messages[0]?.payload
    t.match(alert.embeds[0].title, /^Error rate: 10 per minute/)
    const link = new URL(alert.embeds[0].url)
    t.equal(link.searchParams.get('min_level'), 'error')
    t.equal(link.searchParams.get('fingerprint'), null)

    await rx.send(burst(20, 'c'))
    await rx.idle()
    t.equal(discord.messages.length, 1, 'more errors while it fires: no second alert')

    rx.clock.advance(MINUTE + 1)
    await rx.sweep()
    t.equal(discord.messages.length, 2, 'a quiet minute brings the recovery')
    t.match(discord.messages[1]?.payload.embeds[0].title, /^Recovered: 0 errors/)

    await rx.send(burst(12, 'd'))
    await rx.idle()
    t.equal(discord.messages.length, 2, 'a new burst inside the suppression period is held')

    rx.clock.advance(15 * MINUTE)
    await rx.sweep()
    t.equal(discord.messages.length, 2, 'the held burst is over: nothing to follow up')

    await rx.send(burst(10, 'e'))
    await rx.idle()
    t.equal(discord.messages.length, 3, 'after suppression a new burst alerts again')
    t.same(discord.rejected, [])

    const history = await (await rx.first.admin('GET', `/admin/projects/${rx.projectId}/alerts/history?limit=2`)).json() as any
    t.same(history.history.map((h: any) => h.kind), ['rate', 'rate_recovery'])
    t.type(history.next_cursor, 'string', 'a third entry is on the next page')
    const next = await (await rx.first.admin('GET', `/admin/projects/${rx.projectId}/alerts/history?limit=2&before=${history.next_cursor}`)).json() as any
    t.same(next.history.map((h: any) => h.kind), ['rate'])
  })

  t.test(`${backend}: a rate that stays high is reminded once per suppression period`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 0, error_rate_threshold: 5, suppression_minutes: 2 })

    await rx.send(burst(5, 'a'))
    await rx.idle()
    t.equal(discord.messages.length, 1)
    rx.clock.advance(2 * MINUTE)
    await rx.send(burst(6, 'b'))
    await rx.idle()
    t.equal(discord.messages.length, 2, 'still high when suppression ends: one reminder')
    t.match(discord.messages[1]?.payload.embeds[0].title, /^Error rate still high/)
    await rx.send(burst(6, 'c'))
    await rx.idle()
    t.equal(discord.messages.length, 2, 'the reminder opened the next period')
  })
}

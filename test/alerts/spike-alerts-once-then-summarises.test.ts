import t from 'tap'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// Five identical errors inside 60 s send ONE alert (through a 429 the fake answers once); twenty
// more during suppression send nothing; when suppression ends one summary gives the count.
// Time moves by the injected clock, never by sleeping.

const SECOND = 1000
const MINUTE = 60 * SECOND

for (const backend of backends()) {
  t.test(`${backend}: a spike alerts once, is suppressed, then summarised`, async (t) => {
    const discord = await startFakeDiscord({ rateLimitOnceSeconds: 0.05 })
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl() })
    const boom = errorEvent('db timeout on **orders** @everyone')

    for (let i = 0; i < 4; i++) {
      t.equal((await rx.send([boom])).status, 202)
      rx.clock.advance(5 * SECOND)
    }
    // Noise that must not count: another level, another fingerprint.
    await rx.send([{ ...boom, level: 'warn' }, errorEvent('something else')])
    await rx.idle()
    t.equal(discord.messages.length, 0, 'four errors are not a spike')

    const alertAt = rx.clock.now()
    await rx.send([boom])
    await rx.idle()
    t.equal(discord.messages.length, 1, 'the fifth error inside the window sends one alert')
    t.same(discord.requests.map((r) => r.status), [429, 200], 'the 429 was waited out and retried')
    t.same(discord.rejected, [], 'Discord accepted every payload')

    const alert = discord.messages[0]?.payload
    t.same(alert.allowed_mentions, { parse: [] })
    t.match(alert.embeds[0].title, /^Error spike: 5 in 60s/)
    t.notMatch(alert.content, /@everyone/, 'a mention in log text is broken up')
    t.match(alert.embeds[0].description, /\\\*\\\*orders\\\*\\\*/, 'markdown in log text is escaped')
    const link = new URL(alert.embeds[0].url)
    t.equal(link.origin, 'https://logs.example.test', 'links are built on PUBLIC_URL')
    t.equal(link.searchParams.get('project_id'), String(rx.projectId))
    t.match(link.searchParams.get('fingerprint'), /^[0-9a-f]{40}$/)
    t.equal(Date.parse(link.searchParams.get('from') ?? ''), alertAt - 20 * SECOND, 'from: the first error of the window')
    t.equal(Date.parse(link.searchParams.get('to') ?? ''), alertAt + 1, 'to: just after the last')
    const fields = Object.fromEntries(alert.embeds[0].fields.map((f: any) => [f.name, f.value]))
    t.equal(fields.Level, 'error')
    t.equal(fields.Count, '5')
    t.match(fields.Stack, /^```\nError: db timeout/)

    // Twenty more while suppressed, spread over three minutes: counted, not sent.
    for (let i = 0; i < 20; i++) {
      rx.clock.advance(9 * SECOND)
      t.equal((await rx.send([boom])).status, 202)
    }
    await rx.idle()
    await rx.sweep()
    t.equal(discord.messages.length, 1, 'nothing more during suppression')

    rx.clock.advance(alertAt + 15 * MINUTE - 1 - rx.clock.now())
    await rx.sweep()
    t.equal(discord.messages.length, 1, 'not before the suppression period has ended')

    rx.clock.advance(1)
    await rx.sweep()
    t.equal(discord.messages.length, 2, 'one follow-up when suppression ends')
    const summary = discord.messages[1]?.payload
    t.match(summary.embeds[0].title, /^Spike summary: 20 more/)
    t.same(summary.allowed_mentions, { parse: [] })

    await rx.sweep()
    t.equal(discord.messages.length, 2, 'the follow-up is sent once')

    const history = await (await rx.first.admin('GET', `/admin/projects/${rx.projectId}/alerts/history`)).json() as any
    t.same(history.history.map((h: any) => [h.kind, h.outcome, h.http_status]), [
      ['spike_followup', 'sent', 200],
      ['spike', 'sent', 200]
    ])
    t.equal(history.history[1].attempts, 2, 'the history shows the retry after 429')
    t.equal(history.next_cursor, null)
  })

  t.test(`${backend}: a spike that stopped says so, and a spike that goes on stays quiet`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 3, spike_window_seconds: 10, suppression_minutes: 1 })
    const boom = errorEvent('disk full')

    await rx.send([boom, boom, boom])
    await rx.idle()
    t.equal(discord.messages.length, 1, 'three in one batch reach the threshold of 3')

    rx.clock.advance(MINUTE)
    await rx.sweep()
    t.equal(discord.messages.length, 2)
    t.match(discord.messages[1]?.payload.embeds[0].title, /^Spike over: no more events/)

    // A new spike after the window: a new alert, then one that never stops re-arms quietly.
    await rx.send([boom, boom, boom])
    await rx.idle()
    t.equal(discord.messages.length, 3, 'a later spike alerts again')
    rx.clock.advance(MINUTE)
    await rx.send([boom, boom, boom])
    await rx.idle()
    t.equal(discord.messages.length, 4, 'the follow-up goes out when the window ends')
    t.match(discord.messages[3]?.payload.embeds[0].title, /^Spike goes on: 3 more|^Spike goes on/)
    await rx.send([boom, boom, boom])
    await rx.idle()
    t.equal(discord.messages.length, 4, 'still going on: the next window is already open')
  })

  t.test(`${backend}: a batch right after a window ends gets the follow-up out first`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 3, spike_window_seconds: 10, suppression_minutes: 1 })
    const boom = errorEvent('cache stampede')

    await rx.send([boom, boom, boom])
    await rx.idle()
    rx.clock.advance(MINUTE - 500)
    await rx.send([boom])
    await rx.idle()
    t.equal(discord.messages.length, 1)
    // 600 ms later the window has ended; ingestion's own sweep is not due for another 400 ms.
    rx.clock.advance(600)
    await rx.send([boom, boom, boom])
    await rx.idle()
    t.equal(discord.messages.length, 2, 'the owed follow-up went out before the new events were judged')
    t.match(discord.messages[1]?.payload.embeds[0].title, /^Spike goes on: 1 more/)
  })
}

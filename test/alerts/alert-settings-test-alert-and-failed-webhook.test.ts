import t from 'tap'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// The admin side: settings with CONTRACT's defaults, validation, the test alert with Discord's
// answer, and a webhook that answers 404 being marked failed (and used no more) until it changes.

for (const backend of backends()) {
  t.test(`${backend}: alert settings, test alert, failed webhook`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    const path = `/admin/projects/${rx.projectId}/alerts`
    const admin = rx.first.admin

    let res = await admin('GET', path)
    t.equal(res.status, 200)
    t.same(await res.json(), {
      project_id: rx.projectId,
      discord_webhook_url: null,
      spike_threshold: 5,
      spike_window_seconds: 60,
      suppression_minutes: 15,
      error_rate_threshold: null,
      new_fingerprint: false,
      webhook_status: 'none',
      webhook_error: null,
      webhook_checked_at: null
    }, 'the defaults CONTRACT.md pins')

    for (const [body, field] of [
      [{ spike_threshold: -1 }, 'spike_threshold'],
      [{ discord_webhook_url: 'ftp://example.test/hook' }, 'discord_webhook_url'],
      [{ error_rate_threshold: 'lots' }, 'error_rate_threshold'],
      [{ suppression_minutes: 0 }, 'suppression_minutes'],
      [{ colour: 'red' }, 'colour']
    ] as const) {
      res = await admin('PUT', path, body)
      t.equal(res.status, 400, `refuses ${JSON.stringify(body)}`)
      const json = await res.json() as any
      t.equal(json.code, 'TEKNO_ERR_VALIDATION')
      t.equal(json.field, field)
    }
    t.equal((await admin('GET', '/admin/projects/999999/alerts')).status, 404)
    t.equal((await fetch(`${rx.first.url}${path}`)).status, 401, 'admin token required')

    res = await admin('POST', `${path}/test`)
    t.equal(res.status, 409, 'a test alert needs a webhook')
    t.equal((await res.json() as any).code, 'TEKNO_ERR_ALERT_NO_WEBHOOK')

    // A PUT changes only the fields it carries.
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 7 })
    const settings = await rx.putAlerts({ error_rate_threshold: 30 })
    t.equal(settings.spike_threshold, 7)
    t.equal(settings.error_rate_threshold, 30)
    t.equal(settings.discord_webhook_url, discord.webhookUrl())
    t.equal(settings.webhook_status, 'unknown')

    res = await admin('POST', `${path}/test`)
    t.equal(res.status, 200)
    const test = await res.json() as any
    t.equal(test.sent, true)
    t.equal(test.discord.status, 200)
    t.equal(test.discord.response.id, '1', "Discord's answer (the created message) is reported")
    t.equal(test.settings.webhook_status, 'ok')
    t.equal(discord.messages.length, 1)
    t.match(discord.messages[0]?.payload.embeds[0].title, /^Test alert/)

    // The webhook is deleted on Discord's side.
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl('gone'), spike_threshold: 5 })
    const boom = errorEvent('payment failed')
    await rx.send([boom, boom, boom, boom, boom])
    await rx.idle()
    const status = await (await admin('GET', path)).json() as any
    t.equal(status.webhook_status, 'failed', 'a 404 marks the webhook failed')
    t.match(status.webhook_error, /404/)
    t.type(status.webhook_checked_at, 'string')
    const history = await (await admin('GET', `${path}/history`)).json() as any
    t.same(history.history[0] && [history.history[0].kind, history.history[0].outcome, history.history[0].http_status], ['spike', 'webhook_failed', 404])

    const before = discord.requests.length
    const other = errorEvent('another failure')
    await rx.send([other, other, other, other, other])
    await rx.idle()
    t.equal(discord.requests.length, before, 'a failed webhook is not called again')

    res = await admin('POST', `${path}/test`)
    const failedTest = await res.json() as any
    t.equal(res.status, 200)
    t.equal(failedTest.sent, false)
    t.equal(failedTest.discord.status, 404)
    t.equal(failedTest.discord.response.code, 10015)

    const fixed = await rx.putAlerts({ discord_webhook_url: discord.webhookUrl('new') })
    t.equal(fixed.webhook_status, 'unknown', 'a new URL starts afresh')
    t.equal(fixed.webhook_error, null)
  })
}

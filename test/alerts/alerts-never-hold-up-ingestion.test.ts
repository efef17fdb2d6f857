import t from 'tap'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// A Discord that never answers: the batch that triggered the alert was already answered 202, and
// every batch after it is answered while the alert hangs. On shutdown the hanging send is cut
// and recorded, so the receiver can close.

for (const backend of backends()) {
  t.test(`${backend}: a hanging Discord holds up no batch`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl('hang') })
    const boom = errorEvent('upstream hangs')

    t.equal((await rx.send([boom, boom, boom, boom, boom], 0, false)).status, 202, 'the spike itself is accepted')
    for (let i = 0; i < 100 && discord.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(discord.requests.length, 1, 'the alert is on its way and hangs')

    for (let i = 0; i < 5; i++) t.equal((await rx.send([boom], 0, false)).status, 202, `batch ${i} answered while the alert hangs`)
    t.equal((await rx.first.fetchEvents()).length, 10, 'and stored')

    await rx.first.app.alerts.close(0)
    const history = await (await rx.first.admin('GET', `/admin/projects/${rx.projectId}/alerts/history`)).json() as any
    t.equal(history.history.length, 1)
    t.equal(history.history[0].outcome, 'failed')
    t.match(history.history[0].response, /shutting down/)
  })
}

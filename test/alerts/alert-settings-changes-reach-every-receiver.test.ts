import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// Ingestion reads a project's alert settings at most once a second per receiver. A change made
// through a receiver applies to its very next batch; every other receiver sees it within a second.

for (const backend of backends()) {
  t.test(`${backend}: alert settings changed on one receiver reach it at once and the others within a second`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend, 2)
    t.teardown(async () => { await rx.close(); await discord.close() })

    // Both receivers have just read "no alerts" for the project.
    t.equal((await rx.send([errorEvent('before any settings')], 0)).status, 202)
    t.equal((await rx.send([errorEvent('before any settings')], 1)).status, 202)

    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), spike_threshold: 1 })
    await rx.send([errorEvent('first after the change')], 0)
    t.same(discord.messages.map((m) => m.payload.embeds[0].description?.includes('first after the change')), [true],
      'the receiver that saved the settings used them for its next batch')

    await sleep(1_100)
    await rx.send([errorEvent('on the other receiver')], 1)
    t.equal(discord.messages.length, 2, 'the other receiver read them again within a second')
    t.match(JSON.stringify(discord.messages[1]?.payload), /on the other receiver/)
  })
}

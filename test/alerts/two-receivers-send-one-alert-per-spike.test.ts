import t from 'tap'
import { backends } from '../helpers/backends.js'
import { errorEvent, startAlertReceivers } from './fixtures/alert-receivers.js'
import { startFakeDiscord } from './fixtures/fake-discord.js'

// Two receivers on one database, as behind a load balancer. The events of each spike arrive one
// per request, alternating receivers, all at once: every receiver evaluates, and the claim in the
// database lets exactly one of them send. The same holds for follow-ups and new fingerprints.

const SPIKES = 8

for (const backend of backends()) {
  t.test(`${backend}: two receivers send exactly one alert per spike`, async (t) => {
    const discord = await startFakeDiscord()
    const rx = await startAlertReceivers(backend, 2)
    t.teardown(async () => { await rx.close(); await discord.close() })
    await rx.putAlerts({ discord_webhook_url: discord.webhookUrl(), new_fingerprint: true })

    const sends = []
    for (let i = 0; i < 5; i++) {
      for (let s = 0; s < SPIKES; s++) sends.push(rx.send([errorEvent(`spike ${s}`)], i + s))
    }
    const answers = await Promise.all(sends)
    t.same([...new Set(answers.map((r) => r.status))], [202])
    await rx.idle()

    const spikes = discord.messages.filter((m) => /^Error spike/.test(m.payload.embeds[0].title))
    t.equal(spikes.length, SPIKES, `one alert for each of the ${SPIKES} spikes`)
    const fingerprints = new Set(spikes.map((m) => new URL(m.payload.embeds[0].url).searchParams.get('fingerprint')))
    t.equal(fingerprints.size, SPIKES, 'each spike alerted once')
    const announced = discord.messages.filter((m) => m.payload.embeds[0].title === 'New error')
      .flatMap((m) => m.payload.embeds.map((e: any) => new URL(e.url).searchParams.get('fingerprint')))
    t.ok(announced.length >= 1, 'new fingerprints were announced')
    t.equal(new Set(announced).size, announced.length, 'no fingerprint announced twice')
    t.same(discord.rejected, [])

    // Both receivers sweep at the same moment when suppression ends.
    rx.clock.advance(15 * 60_000)
    const before = discord.messages.length
    await rx.sweep()
    const followUps = discord.messages.slice(before).filter((m) => /^Spike (over|summary)/.test(m.payload.embeds[0].title))
    t.equal(followUps.length, SPIKES, 'one follow-up per spike, whichever receiver swept')
    // New fingerprints that lost the race to another receiver's message are counted, not lost.
    const held = discord.messages.slice(before).map((m) => /^(\d+) more new error fingerprints/.exec(m.payload.embeds[0].title)?.[1])
      .filter((n) => n !== undefined).map(Number)
    t.equal(announced.length + held.reduce((a, b) => a + b, 0), SPIKES, 'every new fingerprint is announced or counted, once')
  })
}

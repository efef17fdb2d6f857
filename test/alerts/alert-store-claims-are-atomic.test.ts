import t from 'tap'
import { backends, createBackend } from '../helpers/backends.js'
import { openStore, type Store } from '../../server/dist/app.js'

// The alert store on both databases: every claim is won by exactly one of many concurrent
// callers (two stores on one database, as two receivers), and deleteStale keeps what is live.

const MINUTE = 60_000

for (const backend of backends()) {
  t.test(`${backend}: claims, suppression counts, follow-ups, stale state`, async (t) => {
    const db = await createBackend(backend)
    const a = openStore(db.databaseUrl)
    await a.migrate()
    const b = openStore(db.databaseUrl)
    t.teardown(async () => { await a.close(); await b.close(); await db.destroy() })
    const project = await a.projects.create({ name: 'p', key: 'tkp_claims', secret: 's'.repeat(32), retention_hours: 48 }, 1)
    const pid = project.id
    const both = <T>(fn: (s: Store) => Promise<T>, n = 10): Promise<T[]> =>
      Promise.all(Array.from({ length: n }, (_, i) => fn(i % 2 === 0 ? a : b)))
    const t0 = 10 * MINUTE

    let won = await both((s) => s.alerts.claim(pid, 'spike:f', 'spike', 'f', t0, t0 + 15 * MINUTE))
    t.equal(won.filter(Boolean).length, 1, 'one claim wins the first alert')
    won = await both((s) => s.alerts.claim(pid, 'spike:f', 'spike', 'f', t0 + MINUTE, t0 + 16 * MINUTE))
    t.equal(won.filter(Boolean).length, 0, 'nobody claims again inside the window')

    const counted = await both((s) => s.alerts.countSuppressed(pid, 'spike:f', 2, t0 + MINUTE))
    t.equal(counted.filter(Boolean).length, 10)
    t.equal((await a.alerts.getState(pid, 'spike:f'))?.suppressed_count, 20, 'every suppressed event is counted')

    t.same(await a.alerts.dueFollowUps(t0 + 15 * MINUTE - 1), [], 'not due before the window ends')
    t.equal((await a.alerts.dueFollowUps(t0 + 15 * MINUTE)).length, 1)
    t.equal(await a.alerts.countSuppressed(pid, 'spike:f', 1, t0 + 15 * MINUTE), false, 'the window is closed at its end')
    won = await both((s) => s.alerts.claim(pid, 'spike:f', 'spike', 'f', t0 + 15 * MINUTE, t0 + 30 * MINUTE))
    t.equal(won.filter(Boolean).length, 0, 'no new alert while the follow-up is owed')
    const followUps = await both((s) => s.alerts.claimFollowUp(pid, 'spike:f', t0 + 15 * MINUTE, null))
    t.same(followUps.filter((c) => c !== null), [20], 'one follow-up, with the count')
    won = await both((s) => s.alerts.claim(pid, 'spike:f', 'spike', 'f', t0 + 16 * MINUTE, t0 + 31 * MINUTE))
    t.equal(won.filter(Boolean).length, 1, 'after the follow-up a new spike can alert')

    won = await both((s) => s.alerts.claim(pid, 'rate', 'rate', null, t0, t0 + 15 * MINUTE))
    t.equal(won.filter(Boolean).length, 1)
    t.equal((await a.alerts.activeRates(pid)).length, 1, 'a rate alert fires until it recovers')
    won = await both((s) => s.alerts.claimRecovery(pid, 'rate', t0 + 2 * MINUTE))
    t.equal(won.filter(Boolean).length, 1, 'one recovery')

    won = await both((s) => s.alerts.claimFingerprint(pid, 'new-fp', t0))
    t.equal(won.filter(Boolean).length, 1, 'a fingerprint is announced once')

    // Settings: a new URL clears the failure of the old one.
    const base = { spike_threshold: 5, spike_window_seconds: 60, suppression_minutes: 15, error_rate_threshold: null, new_fingerprint: false }
    await a.alerts.putSettings(pid, { ...base, discord_webhook_url: 'https://d.test/1' }, t0)
    await a.alerts.setWebhookStatus(pid, 'https://d.test/1', 'failed', 'Discord answered 404', t0)
    await a.alerts.setWebhookStatus(pid, 'https://d.test/other', 'ok', null, t0)
    t.equal((await b.alerts.getSettings(pid))?.webhook_status, 'failed', 'a status for another URL is ignored')
    await b.alerts.putSettings(pid, { ...base, discord_webhook_url: 'https://d.test/1', spike_threshold: 9 }, t0)
    t.equal((await a.alerts.getSettings(pid))?.webhook_status, 'failed', 'same URL: the failure stays')
    await b.alerts.putSettings(pid, { ...base, discord_webhook_url: 'https://d.test/2' }, t0)
    t.same([(await a.alerts.getSettings(pid))?.webhook_status, (await a.alerts.getSettings(pid))?.webhook_error], ['unknown', null])

    await a.alerts.appendHistory({ project_id: pid, kind: 'spike', alert_key: 'spike:f', fingerprint: 'f', title: 't'.repeat(400), outcome: 'sent', http_status: 200, attempts: 1, response: 'r'.repeat(5000), created_at: t0 })
    const [h] = await b.alerts.listHistory(pid, { limit: 10 })
    t.equal(h?.title.length, 256)
    t.equal(h?.response?.length, 1000)

    // Much later: finished state and marks go; the spike window opened at 16 min is still owed a follow-up.
    t.equal(await a.alerts.claimFollowUp(pid, 'rate', t0 + 15 * MINUTE, null), 0, 'the recovered rate\'s window ends quietly')
    const removed = await a.alerts.deleteStale(t0 + 60 * MINUTE)
    t.equal(removed, 2, 'the recovered rate and the fingerprint mark')
    t.ok(await a.alerts.getState(pid, 'spike:f'), 'an owed follow-up is kept')
    t.equal((await a.alerts.listHistory(pid, { limit: 10 })).length, 1, 'history is kept a week longer')
    t.equal(await a.alerts.deleteStale(t0 + 8 * 24 * 60 * MINUTE), 1, 'then history goes too')

    await a.projects.remove(pid)
    t.equal(await a.alerts.getSettings(pid), null, 'deleting the project deletes its alert settings')
    t.equal(await a.alerts.getState(pid, 'spike:f'), null)
  })
}

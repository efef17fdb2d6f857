import t from 'tap'
import {
  ERROR_LEVEL, groupErrors, isSpike, planFollowUp, rateTransition, shouldSendFollowUp, spikeWindowStart, suppressionEnd
} from '../../server/dist/alerts/alert-rules.js'
import { DEFAULT_ALERT_SETTINGS, mergeAlertSettings, parseAlertSettings } from '../../server/dist/alerts/alert-settings.js'
import type { StoredEvent } from '../../server/dist/ingest/validate.js'

// The rules as pure functions of (events, settings, clock). A tiny in-memory driver plays the
// part of the database so whole sequences can be checked with an injected clock, in microseconds.

const S = DEFAULT_ALERT_SETTINGS
const MINUTE = 60_000
const ev = (ts: number, fingerprint = 'fp-a', level = ERROR_LEVEL): StoredEvent =>
  ({ ts, level, message: `m ${fingerprint}`, source: null, stack: null, context: null, fingerprint })

/** What the engine does per batch and per sweep, with the state in memory instead of SQL. */
function spikeDriver (settings = S) {
  const log: StoredEvent[] = []
  let state: { until: number, held: number, pending: boolean, at: number } | null = null
  const sent: string[] = []
  const windowCount = (fp: string, now: number) => log.filter((e) => e.fingerprint === fp && e.level >= ERROR_LEVEL && e.ts >= spikeWindowStart(settings, now)).length
  const sweep = (now: number) => {
    if (state === null || !state.pending || state.until > now) return
    const ongoing = isSpike(settings, windowCount('fp-a', now))
    const plan = planFollowUp(settings, now, { kind: 'spike', ongoing, firing: false })
    const held = state.held
    state = plan.rearmUntil === null ? { ...state, pending: false, held: 0 } : { until: plan.rearmUntil, held: 0, pending: true, at: now }
    if (shouldSendFollowUp('spike', held, { firing: false })) sent.push(`follow-up ${held}${plan.rearmUntil === null ? '' : ' ongoing'}`)
  }
  return {
    sent,
    batch (events: StoredEvent[], now: number) {
      log.push(...events)
      sweep(now)
      for (const g of groupErrors(events)) {
        if (state !== null && state.pending && state.until > now) { state.held += g.count; continue }
        if (!isSpike(settings, windowCount(g.fingerprint, now))) continue
        if (state !== null && (state.pending || state.until > now)) continue
        state = { until: suppressionEnd(settings, now), held: 0, pending: true, at: now }
        sent.push(`alert ${windowCount(g.fingerprint, now)}`)
      }
    },
    sweep
  }
}

t.test('groupErrors keeps errors and fatals, by fingerprint, with the newest as sample', async (t) => {
  const groups = groupErrors([ev(3, 'a'), ev(1, 'b', 60), ev(5, 'a'), ev(4, 'a', 40), ev(2, 'a')])
  t.same(groups.map((g) => [g.fingerprint, g.count, g.first, g.last, g.sample.ts]), [['a', 3, 2, 5, 5], ['b', 1, 1, 1, 1]])
})

t.test('five errors inside the window alert once; four, or five spread wider, do not', async (t) => {
  const t0 = 1_000_000_000
  let d = spikeDriver()
  for (let i = 0; i < 4; i++) d.batch([ev(t0 + i * 1000)], t0 + i * 1000)
  t.same(d.sent, [], 'four is under the threshold')
  d.batch([ev(t0 + 59_000)], t0 + 59_000)
  t.same(d.sent, ['alert 5'], 'the fifth at 59 s is inside the 60 s window')

  d = spikeDriver()
  for (let i = 0; i < 5; i++) d.batch([ev(t0 + i * 15_001)], t0 + i * 15_001)
  t.same(d.sent, [], 'five spread over 60.004 s never fill one window')
})

t.test('suppression counts, then one follow-up with the count when it ends', async (t) => {
  const t0 = 2_000_000_000
  const d = spikeDriver()
  d.batch([ev(t0), ev(t0), ev(t0), ev(t0), ev(t0)], t0)
  for (let i = 1; i <= 20; i++) d.batch([ev(t0 + i * 10_000)], t0 + i * 10_000)
  t.same(d.sent, ['alert 5'], 'nothing more while suppressed')
  d.sweep(t0 + 15 * MINUTE - 1)
  t.same(d.sent, ['alert 5'], 'the window is still open one millisecond before its end')
  d.sweep(t0 + 15 * MINUTE)
  t.same(d.sent, ['alert 5', 'follow-up 20'])
  d.sweep(t0 + 16 * MINUTE)
  t.same(d.sent, ['alert 5', 'follow-up 20'], 'one follow-up only')
  d.batch([ev(t0 + 17 * MINUTE), ev(t0 + 17 * MINUTE), ev(t0 + 17 * MINUTE), ev(t0 + 17 * MINUTE), ev(t0 + 17 * MINUTE)], t0 + 17 * MINUTE)
  t.same(d.sent, ['alert 5', 'follow-up 20', 'alert 5'], 'a later spike alerts anew')
})

t.test('a spike still going on when suppression ends re-opens it: one message per period', async (t) => {
  const t0 = 3_000_000_000
  const d = spikeDriver()
  for (let s = 0; s <= 45 * 60; s += 5) d.batch([ev(t0 + s * 1000)], t0 + s * 1000)
  // 179 events are held before the first window ends at 920 s (the alert's own five are not "more"), then 180 a window.
  t.same(d.sent, ['alert 5', 'follow-up 179 ongoing', 'follow-up 180 ongoing'])
})

t.test('spike_threshold 0 turns the spike rule off', async (t) => {
  t.equal(isSpike({ ...S, spike_threshold: 0 }, 1000), false)
  t.equal(isSpike(S, 5), true)
  t.equal(isSpike(S, 4), false)
})

t.test('error rate fires, holds and recovers', async (t) => {
  const s = { ...S, error_rate_threshold: 10 }
  t.equal(rateTransition(s, 9, false), 'none')
  t.equal(rateTransition(s, 10, false), 'fire')
  t.equal(rateTransition(s, 50, true), 'none', 'already firing')
  t.equal(rateTransition(s, 9, true), 'recover')
  t.equal(rateTransition(S, 1000, false), 'none', 'null threshold: the rule is off')
  t.equal(rateTransition(S, 1000, true), 'recover', 'turning the rule off closes a firing alert')
  const now = 5_000_000
  t.same(planFollowUp(s, now, { kind: 'rate', ongoing: true, firing: true }), { rearmUntil: now + 15 * MINUTE })
  t.same(planFollowUp(s, now, { kind: 'rate', ongoing: true, firing: false }), { rearmUntil: null })
  t.equal(shouldSendFollowUp('rate', 40, { firing: false }), false, 'a recovered rate already said so')
  t.equal(shouldSendFollowUp('rate', 40, { firing: true }), true)
  t.equal(shouldSendFollowUp('new', 0, { firing: false }), false)
  t.equal(shouldSendFollowUp('new', 3, { firing: false }), true)
  t.equal(shouldSendFollowUp('spike', 0, { firing: false }), true, 'a spike that stopped says so')
})

t.test('settings: defaults, partial PUT, validation', async (t) => {
  t.same(S, { discord_webhook_url: null, spike_threshold: 5, spike_window_seconds: 60, suppression_minutes: 15, error_rate_threshold: null, new_fingerprint: false })
  const merged = mergeAlertSettings(S, parseAlertSettings({ spike_threshold: 3, error_rate_threshold: null }))
  t.same(merged, { ...S, spike_threshold: 3 })
  t.equal(mergeAlertSettings({ ...S, discord_webhook_url: 'https://x.test/h' }, parseAlertSettings({ discord_webhook_url: null })).discord_webhook_url, null)
  t.throws(() => parseAlertSettings({ discord_webhook_url: 'javascript:alert(1)' }), { code: 'TEKNO_ERR_VALIDATION' })
  t.throws(() => parseAlertSettings({ spike_window_seconds: 1.5 }), { code: 'TEKNO_ERR_VALIDATION' })
  t.same(parseAlertSettings({ discord_webhook_url: 'http://127.0.0.1:9/hook' }), { discord_webhook_url: 'http://127.0.0.1:9/hook' }, 'any http(s) URL')
})

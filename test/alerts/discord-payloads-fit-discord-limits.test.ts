import t from 'tap'
import { groupErrors } from '../../server/dist/alerts/alert-rules.js'
import { DEFAULT_ALERT_SETTINGS } from '../../server/dist/alerts/alert-settings.js'
import { codeBlock, escapeMarkdown, fitToLimits, payloadLength, truncate } from '../../server/dist/alerts/discord-format.js'
import * as message from '../../server/dist/alerts/discord-message.js'
import type { StoredEvent } from '../../server/dist/ingest/validate.js'
import { discordViolation } from './fixtures/fake-discord.js'

// Whatever the log text, every payload stays inside Discord's limits (checked by the same rules
// the fake Discord enforces), can never ping anyone, and shows log text literally.

const now = Date.UTC(2026, 10, 27, 22, 50, 51)
const ctx = { projectId: 3, projectName: 'shop *prod* @here', publicUrl: 'https://logs.example.test', settings: { ...DEFAULT_ALERT_SETTINGS, error_rate_threshold: 10 }, now }
const hostile = '@everyone <@123> **bold** `code` ```fence``` [link](http://evil.test) # heading\n> quote ||spoiler|| 😀'
const event = (message: string, stack: string | null, fingerprint = 'f'.repeat(40)): StoredEvent =>
  ({ ts: now - 1000, level: 60, message, source: 'x'.repeat(255), stack, context: null, fingerprint })

t.test('escapeMarkdown neutralises markdown and mentions', async (t) => {
  const out = escapeMarkdown(hostile)
  t.notMatch(out, /@everyone/)
  t.notMatch(out, /(^|[^\\])\*\*/)
  t.notMatch(out, /(^|[^\\])`/)
  t.notMatch(out, /(^|[^\\])\[/)
  t.match(out, /\\\*\\\*bold\\\*\\\*/)
})

t.test('truncate never splits an escape or a surrogate pair', async (t) => {
  t.equal(truncate('abc', 3), 'abc')
  t.equal(truncate('abcdef', 4), 'abc…')
  t.equal(truncate('ab\\*cd', 4), 'ab…', 'a lone backslash would escape the ellipsis')
  t.equal(truncate('ab😀cd', 4), 'ab…', 'half an emoji is not left behind')
  t.ok(truncate('x'.repeat(5000), 1024).length <= 1024)
})

t.test('codeBlock cannot be closed from inside', async (t) => {
  const block = codeBlock('a ``` b\n' + 'y'.repeat(3000), 1024)
  t.ok(block.length <= 1024)
  t.match(block, /^```\n/)
  t.match(block, /\n```$/)
  t.equal(block.slice(3, -3).includes('```'), false)
})

t.test('every alert kind fits with hostile, huge log text', async (t) => {
  const huge = hostile + 'm'.repeat(100_000)
  const stack = 'Error: x\n' + '    at frame (file.js:1:1)\n'.repeat(5000)
  const groups = groupErrors(Array.from({ length: 14 }, (_, i) => event(huge, stack, `${i}`.padStart(40, '0'))))
  const one = groups[0]!
  const payloads = {
    spike: message.spikeAlert(ctx, one, { count: 5, first: now - 5000, last: now }),
    spikeFollowUp: message.spikeFollowUp(ctx, { fingerprint: one.fingerprint, count: 20, since: now - 900_000, lastEventAt: now, ongoing: false }),
    rate: message.rateAlert(ctx, 42, one.sample),
    rateFollowUp: message.rateFollowUp(ctx, 42, 900),
    recovery: message.rateRecovery(ctx, 1, now - 120_000),
    newFingerprints: message.newFingerprints(ctx, groups),
    newFollowUp: message.newFingerprintFollowUp(ctx, 7, now - 900_000),
    test: message.testAlert(ctx)
  }
  for (const [kind, p] of Object.entries(payloads)) {
    t.equal(discordViolation(p), null, `${kind} fits Discord's limits`)
    t.same(p.allowed_mentions, { parse: [] }, `${kind} pings nobody`)
    t.notMatch(JSON.stringify(p), /@everyone|@here/, `${kind} shows no raw mention`)
    t.ok(payloadLength(p) <= 6000)
  }
  t.equal(payloads.newFingerprints.embeds?.length, 10, 'at most ten embeds')
  t.match(payloads.newFingerprints.content, /14 new error fingerprints \(4 not shown\)/)
})

t.test('fitToLimits enforces the limits on anything', async (t) => {
  const long = 'z'.repeat(10_000)
  const p = fitToLimits({
    content: long,
    embeds: Array.from({ length: 12 }, () => ({ title: long, description: long, fields: Array.from({ length: 30 }, () => ({ name: long, value: long })), footer: { text: long } })),
    allowed_mentions: { parse: [] }
  })
  t.equal(discordViolation(p), null)
  t.equal(p.content?.length, 2000)
})

t.test('dashboard links carry the filters in the query', async (t) => {
  const link = message.dashboardLink('https://logs.example.test', { projectId: 1, fingerprint: 'abc', from: 0, to: 1000 })
  t.equal(link, 'https://logs.example.test/?project_id=1&fingerprint=abc&from=1970-01-01T00%3A00%3A00.000Z&to=1970-01-01T00%3A00%3A01.000Z')
})

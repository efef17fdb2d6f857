import t from 'tap'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveOptions } from '../../transports/dist/core/options.js'
import { Shipper } from '../../transports/dist/core/shipper.js'
import { accepted, fakeFetch, refused } from './fixtures/helpers/fake-fetch.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

const base = { url: 'http://127.0.0.1:9', key: 'k', secret: 's', gzip: false, random: () => 0.5, batchMaxEvents: 10, flushIntervalMs: 10 }

t.test('memory stays under its cap while the receiver is down; the next start replays the spool in order', async (t) => {
  const dir = spoolDir(t)
  const down = fakeFetch([refused()])
  const warnings: string[] = []
  const first = new Shipper(resolveOptions({ ...base, spoolDir: dir, maxBufferBytes: 4000, fetch: down.fetch, sleep: () => new Promise((resolve) => setTimeout(resolve, 5)), onWarning: (w) => warnings.push(w.message) }))
  let peak = 0
  for (let i = 0; i < 2000; i++) {
    first.push({ level: 'info', message: `line ${i}` })
    peak = Math.max(peak, first.stats().bufferedBytes)
  }
  t.ok(peak <= 4000, `buffered bytes peaked at ${peak}, under the 4000 cap`)
  t.ok(first.stats().spoolBytes > 0, 'the overflow went to disk')
  await first.close()
  const stats = first.stats()
  t.equal(stats.dropped, 0, 'nothing dropped: the spool had room')
  t.equal(stats.sent, 0)
  t.match(warnings.join('\n'), /receiver unavailable/)
  const spooledIds = readFileSync(spoolFile(dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l).batch_id)

  const up = fakeFetch([accepted()])
  const second = new Shipper(resolveOptions({ ...base, spoolDir: dir, fetch: up.fetch }))
  await second.flush()
  // The replay starts by itself at construction; wait until it has drained.
  for (let tries = 0; second.stats().sent < 2000 && tries < 400; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  await second.close()
  const messages = up.calls.flatMap((c) => c.json.events.map((e: any) => e.message))
  t.same(messages, Array.from({ length: 2000 }, (_, i) => `line ${i}`), 'all 2000, once each, in order')
  t.same(up.calls.map((c) => c.json.batch_id).sort(), spooledIds.sort(), 'replayed with the batch ids they were spooled with')
  t.equal(second.stats().replayed, 2000)
  t.equal(second.stats().spoolBytes, 0, 'spool emptied')
})

t.test('when memory and spool are full, the lowest levels go first and the loss is sent as an event', async (t) => {
  const dir = spoolDir(t)
  let up = false
  const { fetch, calls } = fakeFetch([() => (up ? accepted() : refused())])
  const warnings: string[] = []
  const shipper = new Shipper(resolveOptions({ ...base, spoolDir: dir, maxBufferBytes: 3000, spoolMaxBytes: 2000, fetch, sleep: () => new Promise((resolve) => setTimeout(resolve, 5)), onWarning: (w) => warnings.push(w.message) }))
  for (let i = 0; i < 300; i++) shipper.push({ level: i % 10 === 0 ? 'error' : i % 2 === 1 ? 'debug' : 'trace', message: `m${i}` })
  const dropped = shipper.stats().dropped
  t.ok(dropped > 0, `${dropped} dropped`)
  t.match(warnings.join('\n'), /buffer \(3000 bytes\) and spool are full; dropping the lowest levels first/)
  up = true
  for (let tries = 0; !calls.some((c) => c.json.events.some((e: any) => e.source === 'tekno-logger')) && tries < 400; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await shipper.flush()
  await shipper.close()
  const delivered = calls.filter((c, i) => i === calls.findIndex((d) => d.json.batch_id === c.json.batch_id)).flatMap((c) => c.json.events)
  const errors = delivered.filter((e: any) => e.level === 'error' && e.source !== 'tekno-logger')
  t.equal(errors.length, 30, 'every error survived')
  const notice = delivered.find((e: any) => e.source === 'tekno-logger')
  t.match(notice, { level: 'warn', message: `tekno-logger dropped ${dropped} events because its buffer and spool were full` })
  t.ok(notice.context.dropped.trace > 0, 'trace went first')
  t.equal(notice.context.dropped.error, undefined, 'no error was dropped')
  t.equal(delivered.length - 1 + dropped, 300, 'delivered plus counted as dropped is everything')
})

function spoolFile (dir: string): string {
  return join(dir, readdirSync(dir).find((f) => f.endsWith('.ndjson'))!)
}

t.test('writers sharing a spool directory keep their own files; only files of gone writers are replayed', async (t) => {
  const dir = spoolDir(t)
  const down = { ...base, spoolDir: dir, maxBufferBytes: 500, fetch: fakeFetch([refused()]).fetch, sleep: () => new Promise<void>((resolve) => setTimeout(resolve, 5)), onWarning: () => {} }
  const a = new Shipper(resolveOptions(down))
  const b = new Shipper(resolveOptions(down))
  for (let i = 0; i < 100; i++) a.push({ level: 'info', message: `a${i}` })
  for (let i = 0; i < 100; i++) b.push({ level: 'info', message: `b${i}` })
  await a.close()
  // A process that died with a spool of its own (a pid that cannot be alive).
  writeFileSync(join(dir, `${spoolFile(dir).split('/').at(-1)!.split('-')[0]}-99999999-1.ndjson`),
    JSON.stringify({ batch_id: 'from-a-dead-process', created: 1, n: 1, events: [{ level: 'info', message: 'dead' }] }) + '\n')

  const up = fakeFetch([accepted()])
  const c = new Shipper(resolveOptions({ ...base, spoolDir: dir, fetch: up.fetch }))
  for (let tries = 0; c.stats().sent < 101 && tries < 400; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  const replayed = up.calls.flatMap((call) => call.json.events.map((e: any) => e.message))
  t.equal(replayed[0], 'dead', 'the dead process spool first: it is the oldest')
  t.same(replayed.slice(1), Array.from({ length: 100 }, (_, i) => `a${i}`), 'the closed writer, in order')
  t.notOk(replayed.some((m: string) => m.startsWith('b')), 'the live writer keeps its file')

  for (let i = 100; i < 120; i++) b.push({ level: 'info', message: `b${i}` })
  await b.close()
  const d = fakeFetch([accepted()])
  const e = new Shipper(resolveOptions({ ...base, spoolDir: dir, fetch: d.fetch }))
  for (let tries = 0; e.stats().sent < 120 && tries < 400; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(d.calls.flatMap((call) => call.json.events.map((ev: any) => ev.message)), Array.from({ length: 120 }, (_, i) => `b${i}`), 'nothing b wrote after c replayed is lost')
  await c.close()
  await e.close()
})

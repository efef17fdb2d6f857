import t from 'tap'
import { readdirSync } from 'node:fs'
import { newBatch, type Batch } from '../../transports/dist/core/batch.js'
import { encodeEvent } from '../../transports/dist/core/event.js'
import { Reporter } from '../../transports/dist/core/reporter.js'
import { Spool } from '../../transports/dist/core/spool.js'
import { spoolDir } from './fixtures/helpers/dirs.js'

const identity = 'http://127.0.0.1:9/api/log\nk'
const quiet = () => new Reporter(() => {})

/** 300 batches of 5 events, about 1 KB each: a spool several times the read budget below. */
function fill (dir: string): string[] {
  const writer = new Spool(dir, identity, 64 * 1024 * 1024, quiet())
  const ids: string[] = []
  for (let b = 0; b < 300; b++) {
    const batch = newBatch(Array.from({ length: 5 }, (_, e) => encodeEvent({ level: 'info', message: `batch ${b} event ${e} ${'x'.repeat(150)}` }, 65536)))
    if (!writer.append(batch)) throw new Error('the spool refused a batch')
    ids.push(batch.id)
  }
  writer.close()
  return ids
}

t.test('a spool larger than the read budget comes back a chunk at a time, in order, once', async (t) => {
  const dir = spoolDir(t)
  const ids = fill(dir)
  const reader = new Spool(dir, identity, 64 * 1024 * 1024, quiet())
  const total = reader.bytes
  t.ok(total > 250_000, `${total} bytes waiting`)
  const chunks: Batch[][] = []
  for (let tries = 0; reader.bytes > 0 && tries < 100; tries++) chunks.push(reader.take(70_000))
  t.ok(chunks.length >= 3, `read in ${chunks.length} takes`)
  for (const chunk of chunks) t.ok(chunk.reduce((sum, b) => sum + b.bytes, 0) <= 70_000, 'each take stays near its budget')
  t.same(chunks.flat().map((b) => b.id), ids, 'every batch once, in the order written')
  t.equal(reader.bytes, 0)
  t.same(readdirSync(dir), [], 'the file is removed once read to the end')
  reader.close()
})

t.test('a reader that goes away half-way leaves the rest for the next one, which starts the file again', async (t) => {
  const dir = spoolDir(t)
  const ids = fill(dir)
  const first = new Spool(dir, identity, 64 * 1024 * 1024, quiet())
  const part = first.take(70_000).map((b) => b.id)
  t.ok(part.length > 0 && part.length < ids.length, `the first reader took ${part.length} batches`)
  first.close()
  const second = new Spool(dir, identity, 64 * 1024 * 1024, quiet())
  const rest: string[] = []
  for (let tries = 0; second.bytes > 0 && tries < 100; tries++) rest.push(...second.take(70_000).map((b) => b.id))
  // Sent again with the same batch ids, the receiver stores them once.
  t.same(rest, ids, 'the next reader replays the whole file')
  t.same(readdirSync(dir), [])
  second.close()
})

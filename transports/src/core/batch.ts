import { randomUUID } from 'node:crypto'
import { reencodeEvent, type EncodedEvent } from './event.js'

/** The id is chosen once so every retry and every replay from the spool is stored only once. */
export interface Batch {
  id: string
  /** Creation order, kept through the spool so a replay can restore the order of the logs. */
  created: number
  n: number
  events: EncodedEvent[]
  bytes: number
  attempts: number
}

let counter = 0

export function newBatch (events: EncodedEvent[] = []): Batch {
  let bytes = 0
  for (const event of events) bytes += event.bytes + 1
  return { id: randomUUID(), created: Date.now(), n: ++counter, events, bytes, attempts: 0 }
}

/** The wire body; with `withOrder` also the creation order, which only the spool keeps. */
export function encodeBatch (batch: Batch, withOrder = false): string {
  const order = withOrder ? `"created":${batch.created},"n":${batch.n},` : ''
  let body = `{"batch_id":"${batch.id}",${order}"events":[`
  for (let i = 0; i < batch.events.length; i++) {
    if (i > 0) body += ','
    body += batch.events[i]!.json
  }
  return body + ']}'
}

export function decodeBatch (line: string): Batch {
  const parsed = JSON.parse(line) as { batch_id?: unknown, created?: unknown, n?: unknown, events?: unknown }
  if (typeof parsed.batch_id !== 'string' || !Array.isArray(parsed.events)) throw new Error('not a batch')
  const batch = newBatch(parsed.events.map(reencodeEvent))
  batch.id = parsed.batch_id
  if (typeof parsed.created === 'number') batch.created = parsed.created
  if (typeof parsed.n === 'number') batch.n = parsed.n
  return batch
}

/** The batch in flight when the receiver went away is spooled last but belongs first. */
export function byCreation (a: Batch, b: Batch): number {
  return a.created - b.created || a.n - b.n
}

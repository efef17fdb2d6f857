import { randomUUID } from 'node:crypto'
import { decodeEvent, type EncodedEvent } from './event.js'

/** The id is chosen once so every retry and every replay from the spool is stored only once. */
export interface Batch {
  id: string
  events: EncodedEvent[]
  bytes: number
  attempts: number
}

export function newBatch (events: EncodedEvent[] = []): Batch {
  let bytes = 0
  for (const event of events) bytes += event.bytes + 1
  return { id: randomUUID(), events, bytes, attempts: 0 }
}

export function encodeBatch (batch: Batch): string {
  let body = `{"batch_id":"${batch.id}","events":[`
  for (let i = 0; i < batch.events.length; i++) {
    if (i > 0) body += ','
    body += batch.events[i]!.json
  }
  return body + ']}'
}

export function decodeBatch (line: string): Batch {
  const parsed = JSON.parse(line) as { batch_id?: unknown, events?: unknown }
  if (typeof parsed.batch_id !== 'string' || !Array.isArray(parsed.events)) throw new Error('not a batch')
  const batch = newBatch(parsed.events.map((event) => decodeEvent(JSON.stringify(event))))
  batch.id = parsed.batch_id
  return batch
}

import type { RunningReceiver } from '../../helpers/receiver.js'

/** Every stored event, following next_cursor: the read API caps a page at 1000. */
export async function allEvents (receiver: RunningReceiver, query: Record<string, string> = {}): Promise<any[]> {
  const events: any[] = []
  let cursor: string | null = null
  do {
    const params = new URLSearchParams({ project_id: String(receiver.projectId), limit: '1000', ...query, ...(cursor === null ? {} : { cursor }) })
    const res = await receiver.admin('GET', `/api/log?${params.toString()}`)
    if (res.status !== 200) throw new Error(`GET /api/log answered ${res.status}: ${await res.text()}`)
    const page = await res.json() as { events: any[], next_cursor: string | null }
    events.push(...page.events)
    cursor = page.next_cursor
  } while (cursor !== null)
  return events
}

/** Polls until `check` passes; tap's own timeout ends a test that never gets there. */
export async function eventually<T> (probe: () => Promise<T>, check: (value: T) => boolean, everyMs = 50): Promise<T> {
  for (;;) {
    const value = await probe()
    if (check(value)) return value
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

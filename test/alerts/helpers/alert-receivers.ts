import type {} from '../../../server/dist/alerts/alerts-plugin.js'
import type { Backend } from '../../helpers/backends.js'
import { startReceiver, type RunningReceiver } from '../../helpers/receiver.js'
import { signedHeaders } from '../../helpers/sign.js'

// Receivers with alerts on one database and one injected clock. Several of them share the
// database exactly as receivers behind a load balancer do.

export interface Clock {
  now: () => number
  advance (ms: number): void
}

export function testClock (start = Date.now()): Clock {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

export interface AlertReceivers {
  clock: Clock
  all: RunningReceiver[]
  first: RunningReceiver
  projectId: number
  /** Signed with the injected clock, so a clock moved by minutes still verifies. */
  send (events: unknown[], via?: number): Promise<Response>
  putAlerts (settings: Record<string, unknown>): Promise<any>
  /** Waits until every receiver has finished evaluating and sending. */
  idle (): Promise<void>
  /** Runs every receiver's sweep (what their timers do), then waits. */
  sweep (): Promise<void>
  close (): Promise<void>
}

export async function startAlertReceivers (backend: Backend, count = 1, clock = testClock()): Promise<AlertReceivers> {
  const first = await startReceiver({ backend, now: clock.now, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0', PUBLIC_URL: 'https://logs.example.test' } })
  const all = [first]
  for (let i = 1; i < count; i++) {
    all.push(await startReceiver({ join: first, now: clock.now, env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '0', PUBLIC_URL: 'https://logs.example.test' } }))
  }
  const idle = async (): Promise<void> => {
    // Twice: a sweep started by one receiver's timer may finish after another's idle.
    for (let i = 0; i < 2; i++) await Promise.all(all.map((r) => r.app.alerts.idle()))
  }
  return {
    clock,
    all,
    first,
    projectId: first.projectId,
    send (events, via = 0) {
      const r = all[via % all.length] as RunningReceiver
      const raw = JSON.stringify({ events })
      return fetch(`${r.url}/api/log`, {
        method: 'POST',
        headers: signedHeaders(r.key, r.secret, raw, { timestamp: Math.floor(clock.now() / 1000) }),
        body: raw
      })
    },
    async putAlerts (settings) {
      const res = await first.admin('PUT', `/admin/projects/${first.projectId}/alerts`, settings)
      if (res.status !== 200) throw new Error(`PUT alerts answered ${res.status}: ${await res.text()}`)
      return res.json()
    },
    idle,
    async sweep () {
      await Promise.all(all.map((r) => r.app.alerts.sweep()))
      await idle()
    },
    async close () {
      for (const r of all.slice(1)) await r.close()
      await first.close()
    }
  }
}

export const errorEvent = (message: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ level: 'error', message, source: 'api', stack: `Error: ${message}\n    at handler (app.js:1:1)`, ...extra })

import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'

t.test('GET /metrics speaks Prometheus text and counts what happened', async (t) => {
  const r = await startReceiver({ env: { RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '4' } })
  t.teardown(() => r.close())
  for (let i = 0; i < 3; i++) await r.send({ events: [{ message: 'a' }, { message: 'b' }] })
  t.equal((await r.send('{not json')).status, 400)
  t.equal((await r.send({ events: [{ message: 'refused' }] })).status, 429)
  const unknown = await fetch(`${r.url}/api/log`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tekno-key': 'no-such-key' }, body: '{}' })
  t.equal(unknown.status, 401)

  const res = await fetch(`${r.url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain/)
  const text = await res.text()
  t.match(text, new RegExp(`tekno_events_accepted_total\\{project_id="${r.projectId}"\\} 6`))
  t.match(text, /tekno_rate_limited_total\{scope="ip"\} 1/)
  // Refusals after the key was found name the project; before that, there is none to name.
  t.match(text, new RegExp(`tekno_events_rejected_total\\{reason="TEKNO_ERR_RATE_LIMITED",project_id="${r.projectId}"\\} 1`))
  t.match(text, new RegExp(`tekno_events_rejected_total\\{reason="TEKNO_ERR_BAD_JSON",project_id="${r.projectId}"\\} 1`))
  t.match(text, /tekno_events_rejected_total\{reason="TEKNO_ERR_UNKNOWN_KEY",project_id=""\} 1/)
  t.match(text, /tekno_http_requests_total\{method="POST",route="\/api\/log",status="202"\} 3/)
  t.match(text, /tekno_ingest_duration_seconds_count 3/)
  t.match(text, /tekno_nodejs_eventloop_lag_p99_seconds/)
})

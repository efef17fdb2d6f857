import { api, optionalApi } from './api.js'
import { h } from './dom.js'
import { formatAgo, formatCount, formatPercent, formatTime } from './format.js'
import { renderLevelChart } from './level-chart.js'
import { levelBadge, projectName } from './parts.js'
import { searchLink } from './url-state.js'

const REFRESH_ERRORS_MS = 15_000
const REFRESH_CHART_MS = 60_000

function scopeQuery (state, extra = {}) {
  const p = new URLSearchParams(extra)
  if (state.project_id !== undefined) p.set('project_id', state.project_id)
  return p.toString()
}

export async function renderOverview ({ app, state, projects, signal }) {
  if (projects.length === 0) {
    app.append(noProjects())
    return
  }
  const tiles = h('section', { class: 'tiles', 'aria-label': 'Last hour' })
  const chart = h('div', { class: 'chart', id: 'level-chart' })
  const chartNote = h('p', { class: 'muted chart-note' })
  const fingerprints = h('div', { class: 'table-wrap' })
  const errors = h('ol', { class: 'feed', id: 'recent-errors' })
  const errorsUpdated = h('span', { class: 'muted small' })
  const operations = h('div', { class: 'operations' })

  app.append(
    tiles,
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Events per minute'), h('span', { class: 'muted small' }, 'last hour, stacked by level')),
      chart, chartNote),
    h('div', { class: 'columns' },
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Recent errors'), errorsUpdated),
        errors),
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Maintenance and alerts')),
        operations)),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Top fingerprints'), h('span', { class: 'muted small' }, 'last 24 hours')),
      fingerprints)
  )

  async function loadChart () {
    const series = await api(`/api/stats/minutes?${scopeQuery(state)}`)
    if (signal.aborted) return
    const t = series.totals
    tiles.replaceChildren(
      tile('Events', formatCount(t.events), 'last hour'),
      tile('Errors', formatCount(t.errors), 'error and fatal, last hour', t.errors > 0 ? 'bad' : ''),
      tile('Error rate', formatPercent(t.error_rate), 'of all events', t.error_rate >= 0.05 ? 'bad' : ''),
      tile('Busiest minute', formatCount(Math.max(0, ...series.minutes.map(total))), 'events')
    )
    renderLevelChart(chart, series.minutes, signal)
    chartNote.replaceChildren(...(t.events === 0 ? firstBatchHint() : []))
  }

  async function loadErrors () {
    const { errors: rows } = await api(`/api/stats/errors?${scopeQuery(state, { limit: '15' })}`)
    if (signal.aborted) return
    errorsUpdated.textContent = `updated ${formatTime(new Date().toISOString())}`
    if (rows.length === 0) {
      errors.replaceChildren(h('li', { class: 'empty' }, 'No errors in the last 24 hours. Quiet is good.'))
      return
    }
    errors.replaceChildren(...rows.map((e) => h('li', { class: 'feed-item' },
      h('div', { class: 'feed-meta' },
        levelBadge(e.level),
        h('time', { datetime: e.ts, title: e.ts }, formatTime(e.ts)),
        state.project_id === undefined ? h('span', { class: 'muted' }, projectName(projects, e.project_id)) : null,
        e.source === null ? null : h('span', { class: 'muted' }, e.source)),
      h('a', { class: 'feed-message', href: searchLink({ project_id: String(e.project_id), fingerprint: e.fingerprint, range: '24h' }) }, e.message))))
  }

  async function loadFingerprints () {
    const { fingerprints: rows } = await api(`/api/stats/fingerprints?${scopeQuery(state, { limit: '10' })}`)
    if (signal.aborted) return
    if (rows.length === 0) {
      fingerprints.replaceChildren(h('p', { class: 'empty' }, 'Nothing stored in the last 24 hours yet.'))
      return
    }
    fingerprints.replaceChildren(h('table', { class: 'fingerprints' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Message'), h('th', { scope: 'col', class: 'num' }, 'Count'),
        h('th', { scope: 'col' }, 'First seen'), h('th', { scope: 'col' }, 'Last seen'))),
      h('tbody', {}, rows.map((f) => h('tr', {},
        h('td', { class: 'message-cell' },
          levelBadge(f.level),
          h('a', { class: 'fingerprint-link', href: searchLink({ project_id: String(f.project_id), fingerprint: f.fingerprint, range: '24h' }), title: `fingerprint ${f.fingerprint}` }, f.message),
          state.project_id === undefined ? h('span', { class: 'muted small' }, ` ${projectName(projects, f.project_id)}`) : null),
        h('td', { class: 'num' }, formatCount(f.count)),
        h('td', { class: 'nowrap' }, h('time', { datetime: f.first_seen, title: f.first_seen }, formatAgo(f.first_seen))),
        h('td', { class: 'nowrap' }, h('time', { datetime: f.last_seen, title: f.last_seen }, formatAgo(f.last_seen))))))))
  }

  async function loadOperations () {
    const [maintenance, history] = await Promise.all([
      optionalApi('/admin/maintenance'),
      state.project_id === undefined ? null : optionalApi(`/admin/projects/${state.project_id}/alerts/history?limit=5`)
    ])
    if (signal.aborted) return
    const parts = []
    if (maintenance === null) {
      parts.push(h('p', { class: 'muted' }, 'This receiver does not report maintenance.'))
    } else {
      const last = maintenance.runs?.[0]
      parts.push(h('dl', { class: 'facts' },
        h('dt', {}, 'Last maintenance'),
        h('dd', {}, last === undefined ? 'not run yet' : `${formatAgo(last.started_at)}, ${last.ok ? 'ok' : 'failed'}${last.logs_purged === undefined ? '' : `, ${formatCount(last.logs_purged)} events purged`}`),
        h('dt', {}, 'Runs every'),
        h('dd', {}, `${maintenance.interval_minutes} min`)))
    }
    if (state.project_id === undefined) {
      parts.push(h('p', { class: 'muted small' }, 'Choose a project to see its recent alerts and suppressed spikes.'))
    } else if (history !== null) {
      parts.push(h('h3', {}, 'Recent alerts'))
      parts.push(history.history.length === 0
        ? h('p', { class: 'muted' }, 'No alerts sent yet.')
        : h('ul', { class: 'alerts' }, history.history.map((a) => h('li', {},
          h('span', { class: `pill ${a.outcome === 'sent' ? '' : 'warn'}` }, a.kind),
          ' ', a.title, ' ', h('span', { class: 'muted small' }, `${formatAgo(a.created_at)} · ${a.outcome}`)))))
    }
    operations.replaceChildren(...parts)
  }

  const guard = (fn) => () => fn().catch((err) => { if (!signal.aborted) console.warn(err) })
  await Promise.all([loadChart(), loadErrors(), loadFingerprints(), guard(loadOperations)()])
  const timers = [
    setInterval(guard(loadErrors), REFRESH_ERRORS_MS),
    setInterval(guard(loadChart), REFRESH_CHART_MS),
    setInterval(guard(loadFingerprints), REFRESH_CHART_MS)
  ]
  signal.addEventListener('abort', () => timers.forEach(clearInterval))
}

const total = (m) => m.trace + m.debug + m.info + m.warn + m.error + m.fatal

function tile (label, value, note, tone = '') {
  return h('div', { class: `tile ${tone}` }, h('span', { class: 'tile-label' }, label), h('strong', { class: 'tile-value' }, value), h('span', { class: 'muted small' }, note))
}

function firstBatchHint () {
  return [
    'No events in the last hour. Point a logger at this receiver to see them here, for example with pino:',
    h('pre', { class: 'snippet' }, `pino(pino.transport({ target: 'tekno-logger/pino',\n  options: { url: '${location.origin}', key: 'PROJECT_KEY', secret: 'PROJECT_SECRET' } }))`)
  ]
}

function noProjects () {
  return h('section', { class: 'card empty-state' },
    h('h2', {}, 'No projects yet'),
    h('p', {}, 'Create a project to get the key and secret your loggers sign with:'),
    h('pre', { class: 'snippet' }, `curl -X POST ${location.origin}/admin/projects \\\n  -H "Authorization: Bearer $ADMIN_TOKEN" \\\n  -H "Content-Type: application/json" -d '{"name": "my-app"}'`),
    h('p', { class: 'muted' }, 'The answer is the only time the secret is shown. Then reload this page.'))
}

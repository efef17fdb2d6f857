import { api } from './api.js'
import { h } from './dom.js'
import { formatTime, toLocalInput } from './format.js'
import { renderEventDetails } from './event-view.js'
import { levelBadge, projectName } from './parts.js'
import { LEVELS, parseInstant, RANGES, toApiQuery, toUrl } from './url-state.js'

export async function renderSearch ({ app, state, projects, navigate, signal }) {
  const custom = state.from !== undefined || state.to !== undefined
  const rangeValue = custom ? 'custom' : (state.range ?? '')

  const q = h('input', { type: 'search', name: 'q', id: 'f-q', value: state.q ?? '', placeholder: 'Text in the message', autocomplete: 'off' })
  const source = h('input', { type: 'text', name: 'source', id: 'f-source', value: state.source ?? '', placeholder: 'e.g. api', autocomplete: 'off' })
  const fingerprint = h('input', { type: 'text', name: 'fingerprint', id: 'f-fingerprint', value: state.fingerprint ?? '', placeholder: 'SHA-1 hex', autocomplete: 'off', spellcheck: 'false' })
  const range = h('select', { name: 'range', id: 'f-range' },
    h('option', { value: '' }, 'All retained'),
    RANGES.map(([key, label]) => h('option', { value: key }, label)),
    h('option', { value: 'custom' }, 'Custom…'))
  range.value = rangeValue
  const from = h('input', { type: 'datetime-local', id: 'f-from', value: state.from === undefined ? '' : toLocalInput(parseInstant(state.from)) })
  const to = h('input', { type: 'datetime-local', id: 'f-to', value: state.to === undefined ? '' : toLocalInput(parseInstant(state.to)) })
  const customFields = h('div', { class: 'custom-range' },
    h('label', { for: 'f-from' }, 'From'), from, h('label', { for: 'f-to' }, 'To'), to)
  customFields.hidden = rangeValue !== 'custom'
  range.addEventListener('change', () => { customFields.hidden = range.value !== 'custom' })

  const levelBoxes = LEVELS.map((level) => h('label', { class: `chip level-${level}` },
    h('input', { type: 'checkbox', name: 'level', value: level, checked: state.level.includes(level) }), level))

  const form = h('form', { class: 'card filters', role: 'search', onsubmit: submit },
    h('div', { class: 'field grow' }, h('label', { for: 'f-q' }, 'Message contains'), q),
    h('div', { class: 'field' }, h('label', { for: 'f-source' }, 'Source'), source),
    h('div', { class: 'field' }, h('label', { for: 'f-fingerprint' }, 'Fingerprint'), fingerprint),
    h('div', { class: 'field' }, h('label', { for: 'f-range' }, 'Time'), range),
    customFields,
    h('fieldset', { class: 'levels' }, h('legend', {}, 'Levels'), levelBoxes),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Search'),
      h('a', { class: 'button quiet', href: toUrl({ view: 'search', project_id: state.project_id }) }, 'Clear')))

  const results = h('div', { class: 'results', id: 'results' }, h('p', { class: 'muted' }, 'Searching…'))
  app.append(form, results)

  function submit (event) {
    event.preventDefault()
    const next = {
      view: 'search',
      project_id: state.project_id,
      level: levelBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
      min_level: state.min_level,
      q: q.value.trim() || undefined,
      source: source.value.trim() || undefined,
      fingerprint: fingerprint.value.trim() || undefined
    }
    if (range.value === 'custom') {
      // datetime-local is the browser's local time; the URL carries an unambiguous instant.
      if (from.value !== '') next.from = new Date(from.value).toISOString()
      if (to.value !== '') next.to = new Date(to.value).toISOString()
    } else if (range.value !== '') {
      next.range = range.value
    }
    navigate(toUrl(next))
  }

  const page = await api(`/api/log?${toApiQuery(state).toString()}`)
  if (signal.aborted) return
  const rows = page.events
  const summary = describe(state, projects)
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    state.cursor === undefined ? null : h('a', { class: 'button quiet', href: toUrl({ ...state, cursor: undefined }) }, '← Newest'),
    page.next_cursor === null ? null : h('a', { class: 'button', id: 'older', href: toUrl({ ...state, cursor: page.next_cursor }) }, 'Older →'))

  if (rows.length === 0) {
    results.replaceChildren(h('div', { class: 'card empty-state' },
      h('h2', {}, 'No events match'),
      h('p', {}, state.cursor === undefined
        ? 'Try a wider time range, fewer levels, or a shorter text. New events appear here as soon as a batch is accepted.'
        : 'There is nothing older than this page.'),
      nav))
    return
  }
  results.replaceChildren(
    h('p', { class: 'muted result-summary' }, `${rows.length}${page.next_cursor === null ? '' : '+'} events ${summary}, newest first. Select one to see its stack and context.`),
    h('ol', { class: 'events' }, rows.map((e) => eventRow(e, projects, state))),
    nav)
}

function eventRow (e, projects, state) {
  const details = h('div', { class: 'event-details' })
  details.hidden = true
  const toggle = h('button', { type: 'button', class: 'event-summary', 'aria-expanded': 'false' },
    h('time', { datetime: e.ts, title: e.ts }, formatTime(e.ts)),
    levelBadge(e.level),
    state.project_id === undefined ? h('span', { class: 'muted project' }, projectName(projects, e.project_id)) : null,
    e.source === null ? null : h('span', { class: 'source' }, e.source),
    h('span', { class: 'message' }, e.message))
  toggle.addEventListener('click', () => {
    const open = details.hidden
    details.hidden = !open
    toggle.setAttribute('aria-expanded', String(open))
    if (open && details.childElementCount === 0) renderEventDetails(details, e, projects)
  })
  return h('li', { class: 'event', dataset: { id: String(e.id) } }, toggle, details)
}

function describe (state, projects) {
  const parts = []
  parts.push(state.project_id === undefined ? 'in all projects' : `in ${projectName(projects, Number(state.project_id))}`)
  if (state.level.length > 0) parts.push(`at ${state.level.join(', ')}`)
  if (state.q !== undefined) parts.push(`containing “${state.q}”`)
  if (state.fingerprint !== undefined) parts.push('with one fingerprint')
  const preset = RANGES.find(([k]) => k === state.range)
  if (state.from !== undefined || state.to !== undefined) parts.push('in the chosen time range')
  else if (preset !== undefined) parts.push(preset[1].toLowerCase())
  return parts.join(' ')
}

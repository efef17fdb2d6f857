// Every filter lives in the URL, so an alert's link, a shared link and the back button all open
// the same view. The URL names what the user chose; resolving a preset to times happens per load.

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
export const RANGES = [
  ['15m', 'Last 15 minutes', 15 * 60_000],
  ['1h', 'Last hour', 3_600_000],
  ['6h', 'Last 6 hours', 6 * 3_600_000],
  ['24h', 'Last 24 hours', 24 * 3_600_000],
  ['72h', 'Last 72 hours', 72 * 3_600_000]
]
const SEARCH_KEYS = ['level', 'min_level', 'q', 'source', 'fingerprint', 'from', 'to', 'range', 'cursor']

export function readState (search = window.location.search) {
  const p = new URLSearchParams(search)
  const get = (k) => { const v = p.get(k); return v === null || v === '' ? undefined : v }
  const view = get('view') ?? (SEARCH_KEYS.some((k) => get(k) !== undefined) ? 'search' : 'overview')
  return {
    view: view === 'search' ? 'search' : 'overview',
    project_id: get('project_id'),
    level: get('level')?.split(',').filter((l) => LEVELS.includes(l)) ?? [],
    min_level: get('min_level'),
    q: get('q'),
    source: get('source'),
    fingerprint: get('fingerprint'),
    from: get('from'),
    to: get('to'),
    range: get('range'),
    cursor: get('cursor')
  }
}

export function toUrl (state) {
  const p = new URLSearchParams()
  if (state.view === 'search') p.set('view', 'search')
  if (state.project_id !== undefined) p.set('project_id', state.project_id)
  if (state.view === 'search') {
    if (state.level?.length > 0) p.set('level', state.level.join(','))
    for (const k of ['min_level', 'q', 'source', 'fingerprint', 'range', 'from', 'to', 'cursor']) {
      if (state[k] !== undefined && state[k] !== '') p.set(k, state[k])
    }
  }
  const qs = p.toString()
  return qs === '' ? '/' : `/?${qs}`
}

/** Parses ISO 8601 or epoch ms as the API does; undefined when it is neither. */
export function parseInstant (value) {
  if (value === undefined) return undefined
  if (/^\d{1,16}$/.test(value)) return Number(value)
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

/** The /api/log query for a search state; a preset range is measured back from `now`. */
export function toApiQuery (state, now = Date.now()) {
  const p = new URLSearchParams()
  if (state.project_id !== undefined) p.set('project_id', state.project_id)
  if (state.level.length > 0) p.set('level', state.level.join(','))
  for (const k of ['min_level', 'q', 'source', 'fingerprint', 'cursor']) if (state[k] !== undefined) p.set(k, state[k])
  const preset = RANGES.find(([key]) => key === state.range)
  if (state.from !== undefined || state.to !== undefined) {
    if (state.from !== undefined) p.set('from', state.from)
    if (state.to !== undefined) p.set('to', state.to)
  } else if (preset !== undefined) {
    p.set('from', String(now - preset[2]))
  }
  p.set('limit', '50')
  return p
}

export function searchLink (filters) {
  return toUrl({ view: 'search', level: [], ...filters })
}

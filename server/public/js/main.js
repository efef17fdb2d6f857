import { api, ApiError, setCsrfToken } from './api.js'
import { clear } from './dom.js'
import { renderOverview } from './overview.js'
import { renderSearch } from './search.js'
import { renderSignIn } from './sign-in.js'
import { readState, toUrl } from './url-state.js'

const app = document.getElementById('app')
const topbar = document.querySelector('.topbar')
const projectSelect = document.getElementById('project-select')
let projects = []
// Each render gets a fresh controller; aborting it stops the old view's timers.
let viewController = null

function stopView () {
  viewController?.abort()
  viewController = null
}

function signedOut (message) {
  stopView()
  setCsrfToken(null)
  topbar.hidden = true
  renderSignIn(app, { message, onSignedIn: start })
}

async function loadProjects () {
  projects = (await api('/admin/projects')).projects
  const current = projectSelect.value
  projectSelect.replaceChildren(new Option('All projects', ''))
  for (const p of projects) projectSelect.append(new Option(p.name, String(p.id)))
  projectSelect.value = current
}

export function navigate (url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  render()
}

function render () {
  stopView()
  viewController = new AbortController()
  const state = readState()
  projectSelect.value = state.project_id ?? ''
  if (projectSelect.value !== (state.project_id ?? '')) projectSelect.value = ''
  for (const tab of document.querySelectorAll('.tab')) {
    if (tab.dataset.view === state.view) tab.setAttribute('aria-current', 'page')
    else tab.removeAttribute('aria-current')
  }
  const tabs = document.querySelectorAll('.tab')
  tabs[0].href = toUrl({ view: 'overview', project_id: state.project_id })
  tabs[1].href = toUrl({ view: 'search', project_id: state.project_id })
  document.title = state.view === 'search' ? 'Search · Tekno Logger' : 'Overview · Tekno Logger'
  const view = { app: clear(app), state, projects, navigate, signal: viewController.signal }
  const done = state.view === 'search' ? renderSearch(view) : renderOverview(view)
  done.catch(showError)
}

function showError (err) {
  if (err instanceof ApiError && err.status === 401) return
  if (err?.name === 'AbortError') return
  console.warn(err)
  const note = document.createElement('p')
  note.className = 'card notice error-note'
  note.textContent = `Something went wrong: ${err.message}`
  app.prepend(note)
}

async function start (session) {
  setCsrfToken(session.csrf_token)
  topbar.hidden = false
  try {
    await loadProjects()
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return
    throw err
  }
  render()
}

projectSelect.addEventListener('change', () => {
  const state = readState()
  const value = projectSelect.value === '' ? undefined : projectSelect.value
  // A new project starts a fresh page of results: an old cursor belongs to the old filter.
  navigate(toUrl({ ...state, project_id: value, cursor: undefined }))
})

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('/dashboard/sign-out', { method: 'POST' }) } finally { signedOut('You are signed out.') }
})

// In-page links move through history instead of reloading the page.
document.addEventListener('click', (event) => {
  const a = event.target instanceof Element ? event.target.closest('a[href^="/"]') : null
  if (a === null || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
  if (a.target === '_blank') return
  event.preventDefault()
  navigate(a.getAttribute('href'))
})

window.addEventListener('popstate', render)
// The chart reads its colours from CSS once; redraw when the system theme flips.
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if (!topbar.hidden) render() })
window.addEventListener('tekno:signed-out', () => signedOut('Your session ended. Sign in again.'))

const session = await api('/dashboard/session')
if (session.signed_in) await start(session)
else signedOut()

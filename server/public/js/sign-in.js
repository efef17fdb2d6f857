import { api, ApiError } from './api.js'
import { clear, h } from './dom.js'

export function renderSignIn (app, { message, onSignedIn }) {
  clear(app)
  const input = h('input', { id: 'admin-token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' })
  const status = h('p', { class: 'form-status', role: 'alert' }, message ?? '')
  const button = h('button', { type: 'submit', class: 'button primary' }, 'Sign in')
  const form = h('form', { class: 'card sign-in', onsubmit: submit },
    h('h1', {}, 'Tekno Logger'),
    h('p', { class: 'muted' }, 'Sign in with the receiver\'s admin token (ADMIN_TOKEN). It is exchanged for a session cookie and never stored by this page.'),
    h('label', { for: 'admin-token' }, 'Admin token'),
    input,
    button,
    status
  )
  app.append(form)
  input.focus()

  async function submit (event) {
    event.preventDefault()
    button.disabled = true
    status.textContent = ''
    status.classList.remove('bad')
    try {
      const session = await api('/dashboard/sign-in', { method: 'POST', body: { token: input.value } })
      input.value = ''
      await onSignedIn(session)
    } catch (err) {
      status.classList.add('bad')
      if (err instanceof ApiError && err.status === 429) {
        status.textContent = `Too many wrong tokens. Try again in ${err.body?.retry_after ?? 'a few'} seconds.`
      } else if (err instanceof ApiError && err.status === 401) {
        status.textContent = 'That token is not right. Check ADMIN_TOKEN on the receiver.'
        input.select()
      } else {
        status.textContent = `Could not sign in: ${err.message}`
      }
    } finally {
      button.disabled = false
    }
  }
}

// Every request the page makes. The session lives in an HttpOnly cookie the script cannot read;
// the CSRF token it can read only proves the request was built by this page.

let csrfToken = null

export class ApiError extends Error {
  constructor (status, body) {
    super(body?.message ?? `The receiver answered ${status}`)
    this.status = status
    this.code = body?.code
    this.body = body
  }
}

export function setCsrfToken (token) { csrfToken = token }

export async function api (path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken !== null) headers['x-tekno-csrf'] = csrfToken
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const data = res.status === 204 ? null : await res.json().catch(() => null)
  if (!res.ok) {
    // An expired or revoked session anywhere sends the page back to the sign-in form.
    if (res.status === 401 && !path.startsWith('/dashboard/')) window.dispatchEvent(new CustomEvent('tekno:signed-out'))
    throw new ApiError(res.status, data)
  }
  return data
}

/** Optional endpoints (added by other parts of the receiver) answer null when absent. */
export async function optionalApi (path) {
  try {
    return await api(path)
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null
    throw err
  }
}

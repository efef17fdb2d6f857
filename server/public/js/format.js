const pad = (n) => String(n).padStart(2, '0')

/** Local wall-clock time; the date is added when it is not today. */
export function formatTime (iso, now = new Date()) {
  const d = new Date(iso)
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  if (d.toDateString() === now.toDateString()) return time
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`
}

export function formatAgo (iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} d ago`
}

export function formatCount (n) {
  return new Intl.NumberFormat(undefined).format(n)
}

export function formatPercent (ratio) {
  if (ratio === 0) return '0 %'
  return `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)} %`
}

/** A value for <input type="datetime-local"> in the browser's time zone. */
export function toLocalInput (ms) {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function shortFingerprint (fp) {
  return fp.length > 12 ? `${fp.slice(0, 12)}…` : fp
}

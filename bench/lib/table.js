// Tables as plain text for the terminal and as GitHub markdown for the docs, from one shape:
// { title, columns: [...], rows: [[...], ...] } where every cell is already a string.

export function textTable ({ title, columns, rows }) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i] ?? '').length)))
  const numeric = columns.map((_, i) => rows.every((r) => /^[-–\d.,×%\s]*(ms|MB|k|s|×|%)?$|^–$/.test(String(r[i] ?? ''))))
  const cell = (v, i) => numeric[i] && i > 0 ? String(v ?? '').padStart(widths[i]) : String(v ?? '').padEnd(widths[i])
  const line = (cells) => `  ${cells.map(cell).join('  ')}`
  const out = []
  if (title) out.push(title)
  out.push(line(columns), `  ${widths.map((w) => '─'.repeat(w)).join('  ')}`)
  for (const r of rows) out.push(line(r))
  return out.join('\n')
}

export function markdownTable ({ columns, rows }) {
  const esc = (v) => String(v ?? '').replace(/\|/g, '\\|')
  const numeric = columns.map((_, i) => i > 0 && rows.every((r) => /^[-–\d.,×%\s]*(ms|MB|k|s|×|%)?$/.test(String(r[i] ?? ''))))
  return [
    `| ${columns.map(esc).join(' | ')} |`,
    `| ${columns.map((_, i) => numeric[i] ? '---:' : '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)
  ].join('\n')
}

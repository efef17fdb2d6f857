import { textTable } from './table.js'

/** A scenario's result on the terminal: its tables, its notes, then each target met or missed. */
export function printResult (result, out = process.stdout) {
  const lines = [`\n■ ${result.title}`]
  for (const t of result.tables ?? []) lines.push('', textTable(t))
  for (const n of result.notes ?? []) lines.push(`  · ${n}`)
  if ((result.checks ?? []).length > 0) {
    lines.push('')
    for (const c of result.checks) lines.push(`  ${c.pass === null ? '?' : c.pass ? '✓' : '✗'} ${c.label}: ${c.value}`)
  }
  out.write(`${lines.join('\n')}\n`)
}

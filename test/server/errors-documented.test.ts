import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERRORS } from '../../server/dist/errors.js'

// The code, the docs and the statuses stay in step (STYLE.md rule 5): every code in errors.ts has
// a row in docs/errors.md with the same status, and every row names a code that exists.

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const rows = [...doc.matchAll(/^\|\s*`(TEKNO_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|([^|\n]*)\|([^|\n]*)\|\s*$/gm)]
  .map((m) => ({ code: m[1]!, status: Number(m[2]), meaning: m[3]!.trim(), action: m[4]!.trim() }))

t.ok(rows.length > 0, 'docs/errors.md has a table of codes')

t.test('every code in errors.ts is documented with its status', async (t) => {
  for (const [code, def] of Object.entries(ERRORS)) {
    const row = rows.find((r) => r.code === code)
    t.ok(row, `${code} has a row`)
    t.equal(row?.status, def.status, `${code} is documented as ${def.status}`)
  }
})

t.test('every documented code exists, once, with a meaning and an action', async (t) => {
  const codes = new Set(Object.keys(ERRORS))
  for (const row of rows) {
    t.ok(codes.has(row.code), `${row.code} exists in errors.ts`)
    t.ok(row.meaning.length > 0, `${row.code} says what it means`)
    t.ok(row.action.length > 0, `${row.code} says what the client should do`)
  }
  const seen = rows.map((r) => r.code)
  t.same(seen.filter((c, i) => seen.indexOf(c) !== i), [], 'no code documented twice')
})

t.test('every code is an error status with a default message', async (t) => {
  for (const [code, def] of Object.entries(ERRORS)) {
    t.ok(def.status >= 400 && def.status <= 599, `${code}: ${def.status}`)
    t.match(code, /^TEKNO_ERR_[A-Z0-9_]+$/)
    t.ok(def.message.length > 0, `${code} has a default message`)
  }
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh spool directory per test, so no test replays what another one left behind. */
export function spoolDir (t: { teardown (fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-spool-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

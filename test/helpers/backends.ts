import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type Store } from '../../server/dist/app.js'
import { createMysqlDatabase, MYSQL_SKIP_MESSAGE, MYSQL_URL } from './mysql.js'

export type Backend = 'sqlite' | 'mysql'

let warned = false

/** The backends this run can test: SQLite always, MySQL/MariaDB when TEKNO_TEST_MYSQL_URL is set. */
export function backends (): Backend[] {
  if (MYSQL_URL !== undefined) return ['sqlite', 'mysql']
  if (!warned) {
    warned = true
    process.stdout.write(`# ${MYSQL_SKIP_MESSAGE}\n`)
  }
  return ['sqlite']
}

export interface TestBackend {
  kind: Backend
  databaseUrl: string
  /** Removes the SQLite folder or drops the MySQL database. */
  destroy (): Promise<void>
}

export async function createBackend (kind: Backend): Promise<TestBackend> {
  if (kind === 'mysql') {
    const db = await createMysqlDatabase()
    return { kind, databaseUrl: db.url, destroy: () => db.drop() }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tekno-test-'))
  return {
    kind,
    databaseUrl: `sqlite:${join(dir, 'tekno.sqlite')}`,
    destroy: async () => { rmSync(dir, { recursive: true, force: true }) }
  }
}

/** A migrated store on a fresh database; closed and removed by `destroy`. */
export async function createTestStore (kind: Backend): Promise<{ store: Store, backend: TestBackend, destroy (): Promise<void> }> {
  const backend = await createBackend(kind)
  const store = openStore(backend.databaseUrl)
  await store.migrate()
  return {
    store,
    backend,
    async destroy () {
      await store.close()
      await backend.destroy()
    }
  }
}

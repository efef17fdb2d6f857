import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Migration {
  version: number
  name: string
  sql: string
}

const here = dirname(fileURLToPath(import.meta.url))

/** The packaged copy (server/migrations) wins; in the repository the root migrations/ is used. */
export function migrationsDir (dialect: 'sqlite' | 'mysql'): string {
  const candidates = [join(here, '../../migrations', dialect), join(here, '../../../migrations', dialect)]
  const found = candidates.find((c) => existsSync(c))
  if (found === undefined) throw new Error(`no migrations folder for ${dialect} (looked in ${candidates.join(', ')})`)
  return found
}

export async function loadMigrations (dialect: 'sqlite' | 'mysql'): Promise<Migration[]> {
  const dir = migrationsDir(dialect)
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort()
  return Promise.all(files.map(async (f) => ({
    version: Number(f.slice(0, 3)),
    name: f.replace(/\.sql$/, ''),
    sql: await readFile(join(dir, f), 'utf8')
  })))
}

/** MySQL's client runs one statement per call; our migration files separate them with `;` at line end. */
export function splitStatements (sql: string): string[] {
  return sql.split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0)
}

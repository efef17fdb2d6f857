import { MysqlStore } from './mysql/mysql-store.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/** `mysql://…` selects MySQL/MariaDB; `sqlite:PATH` selects SQLite (CONTRACT.md). */
export function openStore (databaseUrl: string): Store {
  if (databaseUrl.startsWith('mysql://')) return new MysqlStore(databaseUrl)
  if (databaseUrl.startsWith('sqlite:')) return new SqliteStore(databaseUrl.slice('sqlite:'.length))
  throw new Error(`DATABASE_URL must start with mysql:// or sqlite: (got ${databaseUrl.split(':')[0]}:)`)
}

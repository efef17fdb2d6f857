import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'

/**
 * A fresh database for one measurement: a SQLite file in its own folder, or a MariaDB database
 * created next to the one in the given URL. Every figure starts from an empty table, and
 * nothing of the SRE's own data is touched.
 */
export async function createBenchDatabase (kind, mysqlUrl) {
  if (kind === 'mysql') {
    if (mysqlUrl === undefined) throw new Error('MariaDB needs --mysql-url or TEKNO_TEST_MYSQL_URL')
    const name = `tekno_bench_${process.pid}_${randomBytes(3).toString('hex')}`
    await adminQuery(mysqlUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
    const url = new URL(mysqlUrl)
    url.pathname = `/${name}`
    return { kind, name, databaseUrl: url.toString(), destroy: () => adminQuery(mysqlUrl, `DROP DATABASE IF EXISTS \`${name}\``) }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tekno-bench-'))
  return {
    kind,
    name: dir,
    databaseUrl: `sqlite:${join(dir, 'tekno.sqlite')}`,
    destroy: async () => { rmSync(dir, { recursive: true, force: true }) }
  }
}

export async function adminQuery (mysqlUrl, sql, params = []) {
  const conn = await mysql.createConnection(mysqlUrl)
  try {
    const [rows] = await conn.query(sql, params)
    return rows
  } finally {
    await conn.end()
  }
}

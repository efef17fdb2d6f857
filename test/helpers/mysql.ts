import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'

/** Set by .ci/run; without it the MySQL/MariaDB suites say they were skipped. */
export const MYSQL_URL = process.env.TEKNO_TEST_MYSQL_URL

export const MYSQL_SKIP_MESSAGE = 'MySQL/MariaDB suite skipped: TEKNO_TEST_MYSQL_URL is not set (CI sets it; see README)'

export interface TestDatabase {
  url: string
  name: string
  drop (): Promise<void>
}

/**
 * A fresh database per test file, so parallel files and concurrent CI runs never collide on the
 * shared MariaDB. The server URL's own database is only used to connect.
 */
export async function createMysqlDatabase (): Promise<TestDatabase> {
  if (MYSQL_URL === undefined) throw new Error(MYSQL_SKIP_MESSAGE)
  const name = `tekno_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = await mysql.createConnection(MYSQL_URL)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  await admin.end()
  const url = new URL(MYSQL_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop () {
      const conn = await mysql.createConnection(MYSQL_URL as string)
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await conn.end()
    }
  }
}

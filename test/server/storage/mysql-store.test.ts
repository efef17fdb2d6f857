import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'
import { MYSQL_SKIP_MESSAGE } from '../../helpers/mysql.js'
import { storeBehaviour } from './store-behaviour.js'

// The same suite as sqlite-store.test.ts against MySQL/MariaDB (one database per store).
if (backends().includes('mysql')) {
  storeBehaviour(t, async () => {
    const { store, destroy } = await createTestStore('mysql')
    return { store, destroy }
  })
} else {
  t.comment(MYSQL_SKIP_MESSAGE)
  t.pass('MySQL/MariaDB store suite not run: set TEKNO_TEST_MYSQL_URL to run it')
}

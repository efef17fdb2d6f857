import t from 'tap'
import { backends, createTestStore } from '../../helpers/backends.js'
import { storeBehaviour } from './store-behaviour.js'

// The same suite as sqlite-store.test.ts against MySQL/MariaDB (one database per store).
// Without TEKNO_TEST_MYSQL_URL, backends() prints the skip message and this file says so.
if (backends().includes('mysql')) {
  storeBehaviour(t, async () => {
    const { store, destroy } = await createTestStore('mysql')
    return { store, destroy }
  })
} else {
  t.pass('MySQL/MariaDB store suite not run: set TEKNO_TEST_MYSQL_URL to run it')
}

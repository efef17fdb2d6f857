import t from 'tap'
import { createTestStore } from '../../helpers/backends.js'
import { storeBehaviour } from './store-behaviour.js'

storeBehaviour(t, async () => {
  const { store, destroy } = await createTestStore('sqlite')
  return { store, destroy }
})

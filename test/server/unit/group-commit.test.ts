import t from 'tap'
import { GroupCommit, type ItemOutcome } from '../../../server/dist/storage/group-commit.js'

// The queue in front of SQLite's single writer: batches that arrive while a group is being
// written go together in the next one; each still gets its own answer.

/** A writer whose groups finish only when the test says so. */
function controlledWriter () {
  const groups: string[][] = []
  const pending: Array<(outcomes: Array<ItemOutcome<string>>) => void> = []
  const fails: Array<(err: Error) => void> = []
  const send = (items: string[]) => new Promise<Array<ItemOutcome<string>>>((resolve, reject) => {
    groups.push(items)
    pending.push(resolve)
    fails.push(reject)
  })
  const finish = (i: number, outcomes?: Array<ItemOutcome<string>>) => {
    pending[i]?.(outcomes ?? groups[i]!.map((item) => ({ ok: true, value: `stored ${item}` })))
  }
  return { groups, send, finish, fail: (i: number, err: Error) => fails[i]?.(err) }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('a lone batch goes straight through; arrivals during a write form the next group', async (t) => {
  const w = controlledWriter()
  const gc = new GroupCommit<string, string>(w.send, 1000)
  const a = gc.submit({ item: 'a', size: 200 })
  t.same(w.groups, [['a']], 'nothing waits for company')
  const b = gc.submit({ item: 'b', size: 200 })
  t.same(w.groups, [['a'], ['b']], 'a second group is sent while the first is written (two in flight)')
  const rest = ['c', 'd', 'e'].map((item) => gc.submit({ item, size: 200 }))
  t.equal(gc.waiting, 3, 'two groups in flight: the rest wait')
  w.finish(0)
  await tick()
  t.same(w.groups[2], ['c', 'd', 'e'], 'everything that waited goes as one group')
  w.finish(1)
  w.finish(2)
  t.same(await Promise.all([a, b, ...rest]), ['stored a', 'stored b', 'stored c', 'stored d', 'stored e'], 'each caller gets its own answer, in order')
})

t.test('a group stops at maxSize events, but always takes at least one item', async (t) => {
  const w = controlledWriter()
  const gc = new GroupCommit<string, string>(w.send, 500)
  const all = [gc.submit({ item: 'x', size: 10 }), gc.submit({ item: 'y', size: 10 })]
  for (const item of ['a', 'b', 'c', 'huge', 'd']) all.push(gc.submit({ item, size: item === 'huge' ? 900 : 200 }))
  w.finish(0)
  await tick()
  t.same(w.groups[2], ['a', 'b'], '200 + 200 fits in 500; a third would not')
  w.finish(1)
  await tick()
  t.same(w.groups[3], ['c'], 'c (200) and huge (900) exceed 500 together')
  w.finish(2)
  await tick()
  t.same(w.groups[4], ['huge'], 'an item over the cap still goes, alone')
  w.finish(3)
  await tick()
  t.same(w.groups[5], ['d'])
  w.finish(4)
  w.finish(5)
  t.equal((await Promise.all(all)).length, 7)
})

t.test('one item failing rejects only that caller; a failed send rejects its whole group', async (t) => {
  const w = controlledWriter()
  const gc = new GroupCommit<string, string>(w.send, 1000)
  const first = gc.submit({ item: 'first', size: 1 })
  const second = gc.submit({ item: 'second', size: 1 })
  const [p, q, r] = ['p', 'q', 'r'].map((item) => gc.submit({ item, size: 1 }))
  w.finish(0)
  await tick()
  w.finish(2, [{ ok: true, value: 'stored p' }, { ok: false, error: new Error('q broke') }, { ok: true, value: 'stored r' }])
  t.equal(await first, 'stored first')
  t.equal(await p, 'stored p')
  await t.rejects(q!, /q broke/)
  t.equal(await r, 'stored r')
  w.fail(1, new Error('writer thread gone'))
  await t.rejects(second, /writer thread gone/)
  // The queue keeps working after a failure.
  const later = gc.submit({ item: 'later', size: 1 })
  await tick()
  w.finish(3)
  t.equal(await later, 'stored later')
})

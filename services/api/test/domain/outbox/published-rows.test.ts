import { until } from '@beacon/testkit'
import { createDb } from '@beacon/db'
import t, { type Test } from 'tap'
import { deleteUnlockedRows } from '../../../src/domain/outbox/outbox.js'
import { publishedRows } from '../../../src/domain/outbox/published-rows.js'
import { buildApp, call } from '../../helper.js'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const noLeft = (t: Test) => (rows: number, why: string) => { t.fail(`${rows} rows left: ${why}`) }

t.test('rows added within a window go in one delete; a full window goes at once; flush deletes what waits', async (t) => {
  const deletes: string[][] = []
  const rows = publishedRows({ windowMs: 40, maxRows: 5, maxWaiting: 100, remove: async (ids) => { deletes.push(ids) }, onError: () => { t.fail('no error') }, onLeft: noLeft(t) })
  rows.add(['1'])
  rows.add(['2', '3'])
  rows.add([])
  t.same(deletes, [], 'nothing is deleted before the window ends')
  await wait(80)
  t.same(deletes, [['1', '2', '3']], 'one statement for the window')
  rows.add(['4', '5', '6'])
  rows.add(['7', '8'])
  t.same(deletes.at(-1), ['4', '5', '6', '7', '8'], 'a window of maxRows is deleted without waiting')
  rows.add(['9'])
  await rows.flush()
  t.same(deletes.at(-1), ['9'], 'flush deletes what waits')
  await wait(80)
  t.equal(deletes.length, 3, 'no late delete after a flush')
})

t.test('one delete at a time: rows added meanwhile wait for it, then go together; beyond maxWaiting they are left', async (t) => {
  const deletes: string[][] = []
  const finishes: Array<() => void> = []
  const left: Array<[number, string]> = []
  const rows = publishedRows({
    windowMs: 10,
    maxRows: 3,
    maxWaiting: 6,
    remove: async (ids) => { deletes.push(ids); await new Promise<void>((resolve) => { finishes.push(resolve) }) },
    onError: () => { t.fail('no error') },
    onLeft: (count, why) => { left.push([count, why]) }
  })
  rows.add(['1', '2', '3'])
  t.same(deletes, [['1', '2', '3']], 'a full window starts at once')
  rows.add(['4', '5'])
  rows.add(['6', '7', '8'])
  await wait(40)
  t.equal(deletes.length, 1, 'no second statement while the first runs')
  rows.add(['9', '10'])
  t.same(left, [[2, 'backlog']], 'rows beyond maxWaiting are left to the sweeper')
  finishes.shift()!()
  await wait(20)
  t.same(deletes.at(-1), ['4', '5', '6'], 'the next statement takes maxRows of what waited')
  finishes.shift()!()
  await wait(40)
  t.same(deletes.at(-1), ['7', '8'], 'then the rest')
  finishes.shift()!()
  await rows.flush()
  rows.add(['11'])
  t.same(left.at(-1), [1, 'closed'], 'rows added after the flush are left to the sweeper')
  t.equal(deletes.length, 3)
})

t.test('a failed delete is reported with its row count, and flush waits for deletes under way', async (t) => {
  const errors: Array<[string, number]> = []
  let finish: () => void = () => {}
  let calls = 0
  const rows = publishedRows({
    windowMs: 10,
    maxRows: 100,
    maxWaiting: 1000,
    remove: async () => {
      if (calls++ === 0) throw new Error('connection lost')
      await new Promise<void>((resolve) => { finish = resolve })
    },
    onError: (error, count) => { errors.push([(error as Error).message, count]) },
    onLeft: noLeft(t)
  })
  rows.add(['1', '2'])
  await until(() => errors.length === 1, 'the failure reported')
  t.same(errors, [['connection lost', 2]])
  rows.add(['3'])
  await wait(30)
  let flushed = false
  const flushing = rows.flush().then(() => { flushed = true })
  await wait(30)
  t.notOk(flushed, 'flush waits for the delete under way')
  finish()
  await flushing
  t.ok(flushed)
})

// The sweeper holds a row it publishes (FOR UPDATE) until JetStream confirms it: the requests whose
// rows are deleted in the same statement must not wait for it.
t.test('a row the sweeper holds is left to it, the others of the statement go at once', async (t) => {
  const { app } = await buildApp(t)
  const insert = async () => (await app.db.pool.query<{ id: string }>("INSERT INTO outbox (kind, payload, publish_after) VALUES ('command', '{}', now()) RETURNING id::text")).rows[0]!.id
  const [held, other1, other2] = [await insert(), await insert(), await insert()]
  const sweeper = await app.db.pool.connect()
  t.teardown(() => { sweeper.release() })
  await sweeper.query('BEGIN')
  await sweeper.query('SELECT id FROM outbox WHERE id = $1 FOR UPDATE', [held])
  await deleteUnlockedRows(app.db.pool, [held, other1, other2])
  const left = (await app.db.pool.query<{ id: string }>('SELECT id::text FROM outbox ORDER BY id')).rows.map((row) => row.id)
  t.same(left, [held], 'the held row stays for the sweeper; the others are deleted, nobody waited for the lock')
  await sweeper.query('ROLLBACK')
})

// guarantee: outbox-published-rows-window
t.test('sends in one window: their outbox rows deleted by one statement, after the answers, and none left at close', async (t) => {
  const { app, databaseUrl } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  const deletes: number[] = []
  const query = app.db.pool.query.bind(app.db.pool) as (...args: unknown[]) => Promise<unknown>
  app.db.pool.query = (async (...args: unknown[]) => {
    const statement = args[0] as { name?: string, values?: unknown[][] }
    if (statement?.name === 'beacon-outbox-delete-unlocked') deletes.push(statement.values?.[0]?.length ?? 0)
    return query(...args)
  }) as typeof app.db.pool.query
  t.teardown(() => { app.db.pool.query = query as typeof app.db.pool.query })
  const send = (userId: string) => call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: { userId, body: { title: 't', body: 'b' } } } })
  const answers = await Promise.all(['a', 'b', 'c', 'd'].map(send))
  t.same(answers.map((answer) => answer.statusCode), [200, 200, 200, 200])
  await until(async () => await app.db.outbox.count() === 0, 'the published rows deleted')
  t.same(deletes, [4], 'one statement deleted the four rows')

  // A send answered just before the close: its row is deleted by the close, not left behind.
  t.equal((await send('e')).statusCode, 200)
  await app.close()
  t.same(deletes, [4, 1], 'the close deleted the last row')
  const db = createDb({ url: databaseUrl })
  t.teardown(() => db.$disconnect())
  t.equal(await db.outbox.count(), 0, 'no outbox row left')
})

import t from 'tap'
import { messageWrites } from '../../../src/domain/messages/message-writes.js'
import { buildApp, call } from '../../helper.js'

const message = (userId: string) => ({ userId, body: { title: 't', body: 'b' } })

// A group's statement that committed but whose answer was lost (the connection died) is run
// again request by request: each request finds its own messages stored and is answered so —
// a 503 would tell the client "not queued" of a message the outbox then sends.
t.test('a group of sends whose statement committed but whose answer was lost: each request answered as stored, each message queued once', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  await app.db.application.create({ data: { appId: '3', name: 'three' } })
  const pool = app.db.pool
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
  let lost = false
  pool.query = (async (...args: unknown[]) => {
    const statement = args[0] as { name?: string, values?: unknown[][] }
    if (statement?.name === 'beacon-store-messages-grouped' && !lost && (statement.values?.[0]?.length ?? 0) > 1) {
      await query(...args)
      lost = true
      throw new Error('Connection terminated unexpectedly')
    }
    return query(...args)
  }) as typeof pool.query
  const send = (appId: number, userId: string) => call(app, 'POST', '/push/message/send', { requestObject: { appId, mode: 'ASYNCHRONOUS', message: message(userId) } })
  const answers = await Promise.all([send(2, 'a'), send(3, 'b'), send(2, 'c')])
  pool.query = query as typeof pool.query
  t.ok(lost, 'the three requests went in one statement, whose answer was lost')
  t.same(answers.map((answer) => answer.statusCode), [200, 200, 200], 'each answered as stored')
  const ids = answers.map((answer) => JSON.parse(answer.body).responseObject.messageIds[0])
  t.equal(await app.db.message.count({ where: { id: { in: ids } } }), 3, 'each message stored once')
})

// The sweeper holds a row it publishes (FOR UPDATE) until JetStream confirms it: the requests whose
// rows are deleted in the same statement must not wait for it.
t.test('outbox rows deleted together: a row the sweeper holds is left to it, the others go at once', async (t) => {
  const { app } = await buildApp(t)
  const insert = async () => (await app.db.pool.query<{ id: string }>("INSERT INTO outbox (kind, payload, publish_after) VALUES ('command', '{}', now()) RETURNING id::text")).rows[0]!.id
  const [held, other1, other2] = [await insert(), await insert(), await insert()]
  const sweeper = await app.db.pool.connect()
  t.teardown(() => { sweeper.release() })
  await sweeper.query('BEGIN')
  await sweeper.query('SELECT id FROM outbox WHERE id = $1 FOR UPDATE', [held])
  const writes = messageWrites(app.db)
  // Asked in one turn: one statement for the three rows.
  await Promise.all([writes.deleteOutboxRows([held]), writes.deleteOutboxRows([other1]), writes.deleteOutboxRows([other2])])
  const left = (await app.db.pool.query<{ id: string }>('SELECT id::text FROM outbox ORDER BY id')).rows.map((row) => row.id)
  t.same(left, [held], 'the held row stays for the sweeper; the others are deleted, nobody waited for the lock')
  await sweeper.query('ROLLBACK')
})

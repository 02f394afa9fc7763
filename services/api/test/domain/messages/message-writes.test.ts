import t from 'tap'
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

/** The sizes of the store statements the api sends, by watching its pool. */
function storeGroups (pool: { query: unknown }) {
  const sizes: number[] = []
  const query = (pool.query as (...args: unknown[]) => Promise<unknown>).bind(pool)
  pool.query = async (...args: unknown[]) => {
    const statement = args[0] as { name?: string, values?: unknown[][] }
    if (statement?.name === 'beacon-store-messages-grouped') sizes.push(statement.values?.[0]?.length ?? 0)
    return query(...args)
  }
  return sizes
}

// DATABASE_GROUP_SPACING_MS: under load the sends of a spacing share one statement; the first
// after a quiet spell is not held. 50 ms between the later two, far inside the 1 s spacing.
// guarantee: group-spacing
t.test('sends that come within DATABASE_GROUP_SPACING_MS of the last store share the next statement; the first goes at once', async (t) => {
  for (const spacing of ['1000', '0']) {
    const { app } = await buildApp(t, { DATABASE_GROUP_SPACING_MS: spacing })
    t.equal(app.db.groupSpacingMs, Number(spacing), 'the setting reaches the database client')
    await app.db.application.create({ data: { appId: '2', name: 'two' } })
    const sizes = storeGroups(app.db.pool)
    const send = (userId: string) => call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: message(userId) } })
    t.equal((await send('a')).statusCode, 200)
    const b = send('b')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const answers = await Promise.all([b, send('c')])
    t.same(answers.map((answer) => answer.statusCode), [200, 200])
    t.same(sizes, spacing === '0' ? [1, 1, 1] : [1, 2], spacing === '0' ? 'without a spacing each send its own statement' : 'the two later sends in one statement')
  }
})

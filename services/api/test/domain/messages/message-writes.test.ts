import t from 'tap'
import { buildApp, call } from '../../helper.js'

const message = (userId: string) => ({ userId, body: { title: 't', body: 'b' } })

/** Makes the api's next store statement of `size` messages commit and then lose its answer, as a connection dying after the commit would. */
function loseNextStoreAnswer (pool: { query: unknown }, size: (n: number) => boolean) {
  const query = (pool.query as (...args: unknown[]) => Promise<unknown>).bind(pool)
  const state = { lost: false }
  pool.query = async (...args: unknown[]) => {
    const statement = args[0] as { name?: string, values?: unknown[][] }
    if (statement?.name === 'beacon-store-messages-grouped' && !state.lost && size(statement.values?.[0]?.length ?? 0)) {
      await query(...args)
      state.lost = true
      throw new Error('Connection terminated unexpectedly')
    }
    return await query(...args)
  }
  return { state, restore: () => { pool.query = query } }
}

const send = (app: Parameters<typeof call>[0], appId: number, userId: string) =>
  call(app, 'POST', '/push/message/send', { requestObject: { appId, mode: 'ASYNCHRONOUS', message: message(userId) } })

// A group's statement that committed but whose answer was lost (the connection died) is run
// again request by request: each request finds its own messages stored and is answered so —
// a 503 would tell the client "not queued" of a message the outbox then sends.
// guarantee: lost-store-answer
t.test('a group of sends whose statement committed but whose answer was lost: each request answered as stored, each message queued once', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  await app.db.application.create({ data: { appId: '3', name: 'three' } })
  const losing = loseNextStoreAnswer(app.db.pool, (n) => n > 1)
  const answers = await Promise.all([send(app, 2, 'a'), send(app, 3, 'b'), send(app, 2, 'c')])
  losing.restore()
  t.ok(losing.state.lost, 'the three requests went in one statement, whose answer was lost')
  t.same(answers.map((answer) => answer.statusCode), [200, 200, 200], 'each answered as stored')
  const ids = answers.map((answer) => JSON.parse(answer.body).responseObject.messageIds[0])
  t.equal(await app.db.message.count({ where: { id: { in: ids } } }), 3, 'each message stored once')
})

// The same for a send alone in its group (an api that is not busy): its statement is run again
// too, finds the message stored, and answers 200. Before, it answered an error, and a client that
// retried on it sent the message twice.
// guarantee: lost-store-answer
t.test('a send alone in its statement whose answer was lost: answered as stored, the message stored and queued once', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  const publish = app.transport.publishCommand.bind(app.transport)
  const published: string[] = []
  app.transport.publishCommand = async (command, ...rest) => {
    published.push('messageId' in command ? command.messageId : 'a campaign chunk')
    return await publish(command, ...rest)
  }
  const losing = loseNextStoreAnswer(app.db.pool, (n) => n === 1)
  const answer = await send(app, 2, 'a')
  losing.restore()
  t.ok(losing.state.lost, 'the statement committed and its answer was lost')
  t.equal(answer.statusCode, 200, 'answered as stored')
  const messageId = JSON.parse(answer.body).responseObject.messageIds[0]
  t.equal(await app.db.message.count({ where: { id: messageId } }), 1, 'stored once')
  t.same(published, [messageId], 'its command published once, by the request')
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

import { until } from '@beacon/testkit'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

const message = (userId: string) => ({ userId, body: { title: 't', body: 'b' } })

/**
 * Makes the api's next store statement of `size` messages commit and then lose its answer, as a
 * connection dying after the commit would; `afterCommit` runs in between (e.g. a sweeper's round).
 */
function loseNextStoreAnswer (pool: { query: unknown }, size: (n: number) => boolean, afterCommit?: (query: (...args: unknown[]) => Promise<unknown>) => Promise<unknown>) {
  const query = (pool.query as (...args: unknown[]) => Promise<unknown>).bind(pool)
  const state = { lost: false }
  pool.query = async (...args: unknown[]) => {
    const statement = args[0] as { name?: string, values?: unknown[][] }
    if (statement?.name === 'beacon-store-messages-grouped' && !state.lost && size(statement.values?.[0]?.length ?? 0)) {
      await query(...args)
      await afterCommit?.(query)
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

/** The message commands the api publishes, with the application each names. */
function watchPublished (app: Parameters<typeof call>[0]) {
  const publish = app.transport.publishCommand.bind(app.transport)
  const published: Array<{ messageId: string, applicationId: number }> = []
  app.transport.publishCommand = async (command, ...rest) => {
    if (command.kind === 'message') published.push({ messageId: command.messageId, applicationId: command.applicationId })
    return await publish(command, ...rest)
  }
  return published
}

// The sweeper may publish and delete the outbox row between the lost answer and the request's
// second run: that run finds the message without a row and must not publish its command again.
// guarantee: lost-store-answer
t.test('a send whose answer was lost and whose command the sweeper published meanwhile: answered as stored, not published again', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  const published = watchPublished(app)
  const losing = loseNextStoreAnswer(app.db.pool, (n) => n === 1, async (query) => await query("DELETE FROM outbox WHERE kind = 'command'"))
  const answer = await send(app, 2, 'a')
  losing.restore()
  t.ok(losing.state.lost, 'the statement committed and its answer was lost')
  t.equal(answer.statusCode, 200, 'answered as stored')
  t.equal(await app.db.message.count(), 1, 'stored once')
  t.same(published, [], 'its command not published by the request a second time')
})

// The second run failing too (the database still away): the request cannot know, and answers
// 503; the message the first run stored is in the outbox, and the sweeper sends it all the same.
// guarantee: lost-store-answer-twice
t.test('a send whose answer was lost and whose second run failed too: 503, and the stored message is still published, once', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_PUBLISH_GRACE_MS: '0', OUTBOX_SWEEP_INTERVAL_MS: '100' })
  await app.db.application.create({ data: { appId: '2', name: 'two' } })
  const published = watchPublished(app)
  const query = (app.db.pool.query as (...args: unknown[]) => Promise<unknown>).bind(app.db.pool)
  let runs = 0
  app.db.pool.query = (async (...args: unknown[]) => {
    const statement = args[0] as { name?: string }
    if (statement?.name === 'beacon-store-messages-grouped' && runs < 2) {
      runs++
      // The first run commits and loses its answer; the second never reaches the database.
      if (runs === 1) await query(...args)
      throw new Error('Connection terminated unexpectedly')
    }
    return await query(...args)
  }) as typeof app.db.pool.query
  const answer = await send(app, 2, 'a')
  app.db.pool.query = query as typeof app.db.pool.query
  t.equal(runs, 2, 'run twice')
  t.equal(answer.statusCode, 503, 'the request answers 503')
  t.match(JSON.parse(answer.body), { status: 'ERROR' })
  const stored = await app.db.message.findMany({ select: { id: true } })
  t.equal(stored.length, 1, 'the first run stored it')
  await until(() => published.length > 0, 'the sweeper publishes it', 10_000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(published, [{ messageId: stored[0]!.id, applicationId: (await app.db.application.findFirstOrThrow({ where: { appId: '2' } })).id }], 'published once, as stored')
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

// One statement stores the sends of several applications (group-commit.ts): each request's
// commands must carry its own application and outbox rows, never another request's of the group.
t.test('sends of two applications in one statement: each command published with its own application, every outbox row cleared', async (t) => {
  const { app } = await buildApp(t, { DATABASE_GROUP_SPACING_MS: '1000', OUTBOX_SWEEP_INTERVAL_MS: '60000', OUTBOX_PUBLISH_GRACE_MS: '60000' })
  const applications = await Promise.all(['2', '3'].map((appId) => app.db.application.create({ data: { appId, name: appId } })))
  const sizes = storeGroups(app.db.pool)
  const published = watchPublished(app)
  const sendAs = (appId: number, userId: string) =>
    call(app, 'POST', '/push/message/send', { requestObject: { appId, mode: 'ASYNCHRONOUS', message: { userId, activationId: `act-${userId}`, body: { title: userId } } } })
  t.equal((await sendAs(2, 'first')).statusCode, 200)
  const answers = await Promise.all([sendAs(2, 'a'), sendAs(3, 'b'), sendAs(3, 'c')])
  t.same(sizes, [1, 3], 'the three later sends in one statement')
  t.same(answers.map((answer) => answer.statusCode), [200, 200, 200])
  const stored = await app.db.message.findMany({ select: { id: true, applicationId: true, userId: true, activationId: true, body: true } })
  t.same(stored.filter((m) => m.activationId !== `act-${m.userId}` || (m.body as { title?: string }).title !== m.userId), [],
    'each row with its own request\'s user, activation and body')
  t.equal(published.length, 4)
  t.same(published.map(({ messageId, applicationId }) => [messageId, applicationId]).sort(), stored.map(({ id, applicationId }) => [id, applicationId]).sort(),
    'each command names its own message\'s application')
  t.same(stored.filter((m) => m.applicationId === applications[1]!.id).length, 2)
  await until(async () => await app.db.outbox.count() === 0, 'every row handed over by its own request and deleted')
})

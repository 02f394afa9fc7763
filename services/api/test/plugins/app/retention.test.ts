import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createDb } from '@beacon/db'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { metricValue, scrapeText } from '../../metrics/scrape.js'

const DAY_MS = 86_400_000

/**
 * A message sent `days` ago and finished then (`finished: false`: still waiting for an outcome,
 * which no round deletes however old).
 */
async function sentMessage (app: FastifyInstance, days: number, finished = true): Promise<string> {
  const application = await app.db.application.upsert({ where: { appId: '2' }, create: { appId: '2', name: 'app' }, update: {} })
  const id = randomUUID()
  const at = new Date(Date.now() - days * DAY_MS)
  // With its outcome in the same statement: a purge running between two would delete the
  // message alone (finished, old) and the outcome's insert would then fail.
  const deliveries = { create: { deviceId: 1n, platform: 'FCM' as const, status: 'SENT' as const, completedAt: at } }
  await app.db.message.create({ data: { id, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' }, createdAt: at, completedAt: finished ? at : null, deliveries } })
  return id
}

const detailStatus = async (app: FastifyInstance, id: string) => (await call(app, 'GET', `/push/message/${id}/detail`)).statusCode

async function until (condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// guarantee: retention-days, retention-deleted-unknown
t.test('with RETENTION_DAYS each api instance deletes what finished before, counts it and logs it', async (t) => {
  const { app, logs } = await buildApp(t, { RETENTION_DAYS: '7', RETENTION_SWEEP_INTERVAL_MS: '1000' }, { captureLogs: true })
  const before = await metricValue(app, 'beacon_records_purged_total', { record: 'message' })
  // Unfinished until it has been seen: with a round every second, a finished one could be gone
  // before the first look when the machine is busy (it failed so in a full run).
  const old = await sentMessage(app, 8, false)
  const recent = await sentMessage(app, 6)
  t.equal(await detailStatus(app, old), 200, 'the old message is there before the round')
  await app.db.message.update({ where: { id: old }, data: { completedAt: new Date(Date.now() - 8 * DAY_MS) } })

  await until(async () => await app.db.message.count({ where: { id: old } }) === 0)
  t.equal(await detailStatus(app, old), 400, 'then PowerAuth\'s detail route answers as for an unknown id')
  // README: a deleted message is answered as an unknown one, in the API's error body.
  const answer = async (id: string) => {
    const response = await call(app, 'GET', `/push/message/${id}/detail`)
    return { status: response.statusCode, type: response.headers['content-type'], body: response.body.replaceAll(id, '<id>') }
  }
  const unknown = await answer(randomUUID())
  t.match(JSON.parse(unknown.body), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC' } }, 'an unknown id: the API\'s error body')
  t.same(await answer(old), unknown, 'the deleted message: the same answer, but for its id')
  t.equal(await detailStatus(app, recent), 200, 'the message inside the retention stays')
  // The round counts and logs after its deletes (the log line after the callbacks' part): the
  // row is gone before either.
  const roundLine = () => logs().split('\n').find((l) => l.includes('finished records past their retention deleted') && l.includes('"messages":1'))
  await until(async () => roundLine() !== undefined)
  t.equal(await metricValue(app, 'beacon_records_purged_total', { record: 'message' }), before + 1)
  const line = roundLine()
  t.match(JSON.parse(line ?? '{}'), { messages: 1, callbacks: 0, retentionDays: 7 })
})

t.test('a first round runs as the api starts, and both series of the counter exist from 0', async (t) => {
  const old = randomUUID()
  // Rows there before the start; the interval (a day) is not what deletes them.
  const beforeStart = async (databaseUrl: string) => {
    const db = createDb({ url: databaseUrl, poolSize: 1 })
    try {
      const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
      await db.pool.query(`INSERT INTO message (id, application_id, user_id, personal, silent, priority, body, created_at, completed_at)
                          VALUES ($1, $2, 'u', false, false, 'HIGH', '{}', now() - interval '8 days', now() - interval '8 days')`, [old, application!.id])
    } finally {
      await db.$disconnect()
    }
  }
  const { app } = await buildApp(t, { RETENTION_DAYS: '7', RETENTION_SWEEP_INTERVAL_MS: '86400000' }, { beforeStart })
  const scrape = await scrapeText(app)
  t.match(scrape, /^beacon_records_purged_total\{record="callback"\} 0$/m, 'an alert on "no deletions for a day" has a series to read')
  await until(async () => await app.db.message.count({ where: { id: old } }) === 0)
  t.pass('the message older than the retention was deleted by the round at start')
})

t.test('RETENTION_DAYS 0, the default, keeps everything', async (t) => {
  const { app, config } = await buildApp(t, { RETENTION_SWEEP_INTERVAL_MS: '1000' })
  t.equal(config.retention.days, 0)
  const old = await sentMessage(app, 3650)
  // Two rounds' time: a sweeper that ran would have deleted it.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  t.equal(await detailStatus(app, old), 200)
})

t.test('a round that fails says what it had deleted, and the next round goes on', async (t) => {
  const { app, logs } = await buildApp(t, { RETENTION_DAYS: '7', RETENTION_SWEEP_INTERVAL_MS: '1000' }, { captureLogs: true })
  // The callbacks' part of a round fails (its table gone for a while), after the messages' part.
  await app.db.$executeRawUnsafe('ALTER TABLE callback_delivery RENAME TO callback_delivery_away')
  const old = await sentMessage(app, 8)
  const requestId = randomUUID()
  await app.db.$executeRawUnsafe(`INSERT INTO callback_delivery_away (developer_id, event_id, event, request_id, status, created_at)
                                  VALUES (1, '${requestId}:push.sent', 'push.sent', '${requestId}', 'DELIVERED', now() - interval '8 days')`)
  // The round at start may fail before the message is there: the one that deleted it is looked for.
  const failures = () => logs().split('\n').filter((line) => line.includes('deleting records past their retention failed'))
    .map((line) => JSON.parse(line) as { level: number, deletedBefore: { messages: number, callbacks: number }, retentionDays: number })
  await until(async () => failures().some((failure) => failure.deletedBefore.messages === 1))
  t.match(failures().find((failure) => failure.deletedBefore.messages === 1), { level: 40, deletedBefore: { messages: 1, callbacks: 0 }, retentionDays: 7 }, 'the message it deleted before failing is in the warning')
  t.equal(await app.db.message.count({ where: { id: old } }), 0)
  await app.db.$executeRawUnsafe('ALTER TABLE callback_delivery_away RENAME TO callback_delivery')
  await until(async () => await app.db.callbackDelivery.count({ where: { requestId } }) === 0)
  t.pass('a later round deleted the callback record')
})

t.test('an api closing stops its round after the statement under way: a backlog does not hold the shutdown', async (t) => {
  const backlog = 30_000
  const beforeStart = async (databaseUrl: string) => {
    const db = createDb({ url: databaseUrl, poolSize: 1 })
    try {
      const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
      await db.pool.query(`INSERT INTO message (id, application_id, user_id, personal, silent, priority, body, created_at, completed_at)
                           SELECT gen_random_uuid(), $1, 'u', false, false, 'HIGH', '{}', now() - interval '8 days', now() - interval '8 days'
                             FROM generate_series(1, $2)`, [application!.id, backlog])
    } finally {
      await db.$disconnect()
    }
  }
  const { app, databaseUrl } = await buildApp(t, { RETENTION_DAYS: '7', RETENTION_SWEEP_INTERVAL_MS: '86400000' }, { beforeStart })
  const observer = createDb({ url: databaseUrl, poolSize: 1 })
  t.teardown(() => observer.$disconnect())
  const remaining = async () => (await observer.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM message')).rows[0]!.n
  // The round at start is under way once its first batch is gone.
  await until(async () => await remaining() < backlog, 15_000)
  await app.close()
  const left = await remaining()
  t.ok(left > 0, `the rest of the backlog waits for the next start (${left} left)`)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(await remaining(), left, 'and nothing is deleted after the close')
})

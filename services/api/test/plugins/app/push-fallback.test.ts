import { randomUUID } from 'node:crypto'
import type { SendCommand } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import { startCallbackReceiver, testNatsUrl } from '@beacon/testkit'
import { createNatsTransport } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { sendDuePushes } from '../../../src/domain/in-app/fallback.js'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, key, listen, pushTo, secret, setupDeveloper, tokenFor, until } from '../../routes/in-app/helper.js'

const alice = `alice@${CARRIER}`

// guarantee: push-fallback-skip-locked
t.test('two instances claiming fallbacks at once: each pushes its share, the held rows are skipped, every request pushed once', async (t) => {
  // The first instance stores the in-app messages and goes away before any is due.
  const a = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '60000' })
  const { applicationId } = await setupDeveloper(a.app)
  const requestIds: string[] = []
  for (let i = 0; i < 20; i++) {
    requestIds.push(await pushTo(a.app, `user${i}@${CARRIER}`, { content: `in-app ${i}`, push: { content: `push ${i}` }, sender: 'bob@carrier.example' }))
  }
  const silent = await pushTo(a.app, alice, { content: 'no push content' })
  await a.app.close()
  const db = createDb({ url: a.databaseUrl, poolSize: 2 })
  t.teardown(() => db.$disconnect())
  await db.$executeRaw`UPDATE inbox_message SET push_due_at = now() - interval '1 second'`

  // Another instance in the middle of its claim: the production statement, not yet committed, holds 8 rows.
  const other = await db.pool.connect()
  t.teardown(() => other.release())
  await other.query('BEGIN')
  t.equal(await sendDuePushes({ db: { pool: other }, outbox: { kick: () => {} } } as unknown as FastifyInstance, 8), 8, 'the other instance claimed 8')
  const { rows: held } = await other.query<{ id: string }>('SELECT id FROM inbox_message WHERE push_message_id IS NOT NULL')

  // This instance polls meanwhile: it must take the 12 others without waiting for the held rows.
  await buildApp(t, { ...localCallbackEnv, DATABASE_URL: a.databaseUrl, NATS_PREFIX: a.config.nats.prefix, MASTER_KEY: a.config.masterKey.toString('base64') })
  const claimedHere = async () => (await db.inboxMessage.findMany({ where: { pushMessageId: { not: null } }, select: { id: true } })).map((m) => m.id)
  await until(async () => (await claimedHere()).length === 12, 'this instance claimed the rows nobody held', 15_000).catch(async (error: unknown) => {
    await other.query('ROLLBACK') // a blocked instance would not close while the locks are held
    throw error
  })
  const mine = await claimedHere()
  t.same([...held.map((r) => r.id), ...mine].sort(), [...requestIds].sort(), 'the two shares are disjoint and cover every request')
  await other.query('COMMIT')

  // Every fallback reaches the stream once: a control command published last marks the end.
  await until(async () => await db.outbox.count() === 0, 'every fallback command published', 15_000)
  const dispatcher = await createNatsTransport({ servers: testNatsUrl, prefix: a.config.nats.prefix, name: 'test-dispatcher' })
  t.teardown(() => dispatcher.close())
  const commands: SendCommand[] = []
  dispatcher.consumeCommands(async (delivery) => {
    commands.push(delivery.command as SendCommand)
    await delivery.ack()
  }, { concurrency: 1 })
  const control: SendCommand = { kind: 'message', messageId: randomUUID(), applicationId, userId: 'control', personal: false, silent: false, priority: 'HIGH', body: {} }
  await dispatcher.publishCommand(control)
  await until(() => commands.some((c) => c.messageId === control.messageId), 'the control command')

  const stored = await db.inboxMessage.findMany({ where: { id: { in: requestIds } } })
  const messages = await db.message.findMany()
  t.same(messages.map((m) => m.id).sort(), stored.map((m) => m.pushMessageId).sort(), 'exactly one push message per request')
  t.same(commands.map((c) => c.messageId).sort(), [...messages.map((m) => m.id), control.messageId].sort(), 'one command per push message, none twice')
  for (const inbox of stored) {
    const message = messages.find((m) => m.id === inbox.pushMessageId)
    const i = inbox.userId.slice(4)
    t.match(message, { applicationId, userId: inbox.userId, personal: false, silent: false, priority: 'HIGH' }, inbox.userId)
    t.same(message?.body, { title: 'bob@carrier.example', body: `push ${i}` })
  }
  t.equal((await db.inboxMessage.findUniqueOrThrow({ where: { id: silent } })).pushMessageId, null, 'no push content, no push')
})

t.test('a message acknowledged before the timeout is not pushed; one offline is, after replay without ack', async (t) => {
  // Long enough for the connect, the replay and the ack on a busy machine: the ack must be on time.
  const { app } = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '2000' })
  await setupDeveloper(app)
  const base = await listen(app)
  const inbox = (id: string) => app.db.inboxMessage.findUniqueOrThrow({ where: { id } })
  const acked = await pushTo(app, alice, { content: 'acked', push: { content: 'p' } })
  const ignored = await pushTo(app, alice, { content: 'ignored', push: { content: 'p' } })
  const client = await connect(t, base, await tokenFor(app, alice))
  await client.until(2)
  client.send({ type: 'ack', id: acked })
  await until(async () => (await inbox(acked)).acknowledgedAt !== null, 'the ack recorded')
  // The control: due pushes are claimed in due order and `acked` fell due first, so once `ignored`
  // is pushed, `acked` has been passed over for good.
  await until(async () => (await inbox(ignored)).pushMessageId !== null, 'the push of the unacknowledged one')
  t.equal((await inbox(acked)).pushMessageId, null, 'the acknowledged message was not pushed')
  t.strictSame((await app.db.message.findMany({ select: { id: true } })).map((m) => m.id), [(await inbox(ignored)).pushMessageId], 'one push: the unacknowledged message')
})

// guarantee: inapp-expiry
t.test('past its lifetime an unacknowledged message is expired once, called back, not replayed, not ackable', async (t) => {
  const hooks = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => hooks.close())
  const { app } = await buildApp(t, { ...localCallbackEnv, INAPP_MESSAGE_TTL_SECONDS: '1', INAPP_ACK_TIMEOUT_MS: '60000' })
  await setupDeveloper(app, { callbackUrl: hooks.url('/hooks') })
  const requestId = await pushTo(app, alice, { content: 'short-lived', push: { content: 'p' } })
  const acked = await pushTo(app, alice, { content: 'acked in time' })
  await app.db.inboxMessage.update({ where: { id: acked }, data: { acknowledgedAt: new Date() } })

  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).expiredAt !== null, 'the expiry', 5000)
  const received = await hooks.until((r) => r.length >= 1)
  t.match(JSON.parse(received[0]?.body ?? '{}'), { eventId: `${requestId}:expired`, event: 'expired', requestId, to: alice, reason: 'NotAcknowledged' })
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: acked } })).expiredAt, null, 'an acknowledged message never expires')

  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  client.send({ type: 'ack', id: requestId })
  // The control: a live message comes after any replay on this socket, and its ack is handled
  // after the late one.
  const control = await pushTo(app, alice, { content: 'control' })
  await client.until(1)
  client.send({ type: 'ack', id: control })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: control } })).acknowledgedAt !== null, 'the control acknowledged')
  t.strictSame(client.frames.map((frame) => frame.id), [control], 'nothing replayed: the live control only')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt, null, 'a late ack is ignored')
  const callbacks = await hooks.until((r) => r.length >= 2)
  t.strictSame(callbacks.map((r) => JSON.parse(r.body).eventId), [`${requestId}:expired`, `${control}:im.delivered`], 'callbacks: expired, then the control delivered; none for the late ack')
  t.equal(await app.db.message.count(), 0, 'no push for an expired message')
})

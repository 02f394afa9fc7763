import type { SendCommand } from '@beacon/contracts'
import { startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import { buildApp, localCallbackEnv } from '../helper.js'
import { CARRIER, connect, key, listen, pushTo, secret, setupDeveloper, sleep, tokenFor, until } from '../routes/in-app/helper.js'

const alice = `alice@${CARRIER}`

t.test('unacknowledged after the timeout: one push per request, even with two instances polling', async (t) => {
  const a = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '200' })
  const b = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '200', DATABASE_URL: a.databaseUrl, NATS_PREFIX: a.config.nats.prefix })
  const { applicationId } = await setupDeveloper(a.app)
  const commands: SendCommand[] = []
  const consumer = a.app.transport.consumeCommands(async (delivery) => {
    if (delivery.command.kind === 'message') commands.push(delivery.command)
    await delivery.ack()
  }, { concurrency: 4 })
  t.teardown(() => consumer.stop())

  const requestIds: string[] = []
  for (let i = 0; i < 20; i++) {
    requestIds.push(await pushTo(a.app, `user${i}@${CARRIER}`, { content: `in-app ${i}`, push: { content: `push ${i}` }, sender: 'bob@carrier.example' }))
  }
  const silent = await pushTo(a.app, alice, { content: 'no push content' })

  await until(async () => await a.app.db.message.count() >= 20, 'the push messages', 15_000)
  await sleep(1000) // more rounds of both pollers
  const stored = await a.app.db.inboxMessage.findMany({ where: { id: { in: requestIds } } })
  const messages = await a.app.db.message.findMany()
  t.equal(messages.length, 20, 'exactly one push message per request')
  t.equal(new Set(stored.map((m) => m.pushMessageId)).size, 20, 'each request has its own push message id')
  for (const inbox of stored) {
    const message = messages.find((m) => m.id === inbox.pushMessageId)
    const i = inbox.userId.slice(4)
    t.match(message, { applicationId, userId: inbox.userId, personal: false, silent: false, priority: 'HIGH' }, inbox.userId)
    t.same(message?.body, { title: 'bob@carrier.example', body: `push ${i}` })
  }
  t.equal((await a.app.db.inboxMessage.findUniqueOrThrow({ where: { id: silent } })).pushMessageId, null, 'no push content, no push')

  await until(() => commands.length >= 20, 'the commands')
  await sleep(300)
  t.same(commands.map((c) => c.messageId).sort(), messages.map((m) => m.id).sort(), 'one command per push message')
  t.ok(b.app.hasPlugin('push-fallback'), 'the second instance polls too')
})

t.test('a message acknowledged before the timeout is not pushed; one offline is, after replay without ack', async (t) => {
  const { app } = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '500' })
  await setupDeveloper(app)
  const base = await listen(app)
  const acked = await pushTo(app, alice, { content: 'acked', push: { content: 'p' } })
  const ignored = await pushTo(app, alice, { content: 'ignored', push: { content: 'p' } })
  const client = await connect(t, base, await tokenFor(app, alice))
  await client.until(2)
  client.send({ type: 'ack', id: acked })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: ignored } })).pushMessageId !== null, 'the push of the unacknowledged one')
  await sleep(500)
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: acked } })).pushMessageId, null)
  t.equal(await app.db.message.count(), 1)
})

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
  await sleep(500)
  t.equal(client.frames.length, 0, 'nothing replayed')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt, null, 'a late ack is ignored')
  t.equal(hooks.received().length, 1, 'one callback: expired')
  t.equal(await app.db.message.count(), 0, 'no push for an expired message')
})

import { randomUUID } from 'node:crypto'
import { natsNames, type MessageSummary } from '@beacon/contracts'
import { startCallbackReceiver, untilWorkQueueSettled } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { pushOutcomeCallbacks } from '../../../src/domain/callbacks/push-outcomes.js'
import { callbacksSettled } from '../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'

const key = 'dev-key-push'
const secret = 'dev-secret-push-0123456789'

async function setup (app: FastifyInstance, callbackUrl: string) {
  const application = await app.db.application.create({ data: { appId: '7', name: 'carrier', carrierDomain: 'carrier.example' } })
  const id = await allocateDeveloperId(app.db)
  const developer = await app.db.developer.create({
    data: { id, key, name: 'Dev', secret: sealDeveloperSecret(app.secrets, id, secret), callbackUrl, applications: { create: [{ applicationId: application.id }] } }
  })
  return { applicationId: application.id, developerId: developer.id }
}

/** An in-app message of the signed API and the push message sent as its fallback. */
async function inAppWithFallback (app: FastifyInstance, ids: { applicationId: number, developerId: number | null }, options: { failureReason?: string } = {}) {
  const requestId = randomUUID()
  const messageId = randomUUID()
  await app.db.message.create({
    data: {
      id: messageId,
      applicationId: ids.applicationId,
      userId: 'alice',
      personal: false,
      silent: false,
      priority: 'HIGH',
      body: { body: 'hi' },
      failureReason: options.failureReason ?? null
    }
  })
  await app.db.inboxMessage.create({
    data: {
      id: requestId,
      userId: 'alice',
      type: 'TEXT',
      subject: '',
      summary: 'hi',
      body: 'hi',
      developerId: ids.developerId,
      pushMessageId: messageId,
      applications: { create: [{ applicationId: ids.applicationId }] }
    }
  })
  return { requestId, messageId }
}

const counts = (sent: number, failed: number) => ({ sent, failed, pending: 0, total: sent + failed })
const summary = (messageId: string, ios: [number, number], android: [number, number], reason?: string): MessageSummary =>
  ({ messageId, ios: counts(...ios), android: counts(...android), ...(reason === undefined ? {} : { reason }) })

// guarantee: push-failed-reason
t.test('push.sent and push.failed reach the developer from recorded results', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => hooks.close())
  const ids = await setup(app, hooks.url('/cb'))
  const sent = await inAppWithFallback(app, ids)
  const failed = await inAppWithFallback(app, ids)
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: sent.messageId, deviceId: 1n, platform: 'APNS', status: 'SENT' },
      { messageId: sent.messageId, deviceId: 2n, platform: 'FCM', status: 'FAILED', reason: 'UNAVAILABLE' },
      { messageId: failed.messageId, deviceId: 1n, platform: 'APNS', status: 'FAILED', reason: 'Unregistered' },
      { messageId: failed.messageId, deviceId: 2n, platform: 'FCM', status: 'FAILED', reason: 'UNAVAILABLE' }
    ]
  })
  const noDevices = await inAppWithFallback(app, ids)
  const plainPush = randomUUID() // a push message that is nobody's fallback: no callback

  await app.transport.publishSummary(summary(sent.messageId, [1, 0], [0, 1]))
  await app.transport.publishSummary(summary(failed.messageId, [0, 1], [0, 1]))
  await app.transport.publishSummary(summary(noDevices.messageId, [0, 0], [0, 0]))
  await app.transport.publishSummary(summary(plainPush, [1, 0], [0, 0]))

  // Every summary recorded (the recorder queues a message's callbacks before it acknowledges its
  // summary), then every queued callback sent: nothing more can come.
  const names = natsNames(config.nats.prefix)
  await untilWorkQueueSettled({ stream: names.resultStream, consumer: names.recorderConsumer, servers: config.nats.url })
  t.equal((await callbacksSettled(app, config)).stored, 3, 'three callbacks queued')
  const received = hooks.received()
  t.same(received.map((r) => (JSON.parse(r.body) as { requestId: string }).requestId).sort(), [sent, failed, noDevices].map((m) => m.requestId).sort(),
    'one callback per fallback, none for the plain push message')
  t.ok(received.every((r) => r.verified), 'signed with the developer secret')
  const bodies = new Map(received.map((r) => {
    const body = JSON.parse(r.body) as { requestId: string }
    return [body.requestId, body]
  }))
  t.match(bodies.get(sent.requestId), { eventId: `${sent.requestId}:push.sent`, event: 'push.sent', to: 'alice@carrier.example' })
  t.notOk('reason' in (bodies.get(sent.requestId) ?? {}), 'no reason when sent')
  t.match(bodies.get(failed.requestId), { eventId: `${failed.requestId}:push.failed`, event: 'push.failed', reason: 'UNAVAILABLE, Unregistered' })
  t.match(bodies.get(noDevices.requestId), { event: 'push.failed', reason: 'NoDevices' })
  const completed = await app.db.message.findUniqueOrThrow({ where: { id: sent.messageId } })
  t.equal((bodies.get(sent.requestId) as { timestamp?: string } | undefined)?.timestamp, completed.completedAt?.toISOString(), 'when the push completed')
})

// guarantee: push-failed-reason
t.test('the callbacks of a complete message are deterministic, so a redelivered batch is de-duplicated', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const ids = await setup(app, 'http://127.0.0.1:9/cb')
  const whole = await inAppWithFallback(app, ids, { failureReason: 'ApnsCredentialsRefused' })
  t.same(await pushOutcomeCallbacks(app.db, [whole.messageId]), [], 'nothing before the message is complete')
  await app.db.message.update({ where: { id: whole.messageId }, data: { completedAt: new Date() } })

  const first = await pushOutcomeCallbacks(app.db, [whole.messageId])
  const again = await pushOutcomeCallbacks(app.db, [whole.messageId])
  t.same(again, first)
  t.equal(first.length, 1, 'one callback')
  t.match(first[0], { developerId: ids.developerId, body: { event: 'push.failed', reason: 'ApnsCredentialsRefused', requestId: whole.requestId } })
})

// guarantee: push-failed-reason
t.test('push.failed names each of its devices\' reasons once, sorted', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const ids = await setup(app, 'http://127.0.0.1:9/cb')
  const failed = await inAppWithFallback(app, ids)
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: failed.messageId, deviceId: 1n, platform: 'APNS', status: 'FAILED', reason: 'Unregistered' },
      { messageId: failed.messageId, deviceId: 2n, platform: 'FCM', status: 'FAILED', reason: 'UNAVAILABLE' },
      { messageId: failed.messageId, deviceId: 3n, platform: 'APNS', status: 'FAILED', reason: 'Unregistered' },
      { messageId: failed.messageId, deviceId: 4n, platform: 'APNS', status: 'EXPIRED' }
    ]
  })
  await app.db.message.update({ where: { id: failed.messageId }, data: { completedAt: new Date() } })
  const [callback] = await pushOutcomeCallbacks(app.db, [failed.messageId])
  t.equal(callback?.body.event, 'push.failed')
  t.equal(callback?.body.reason, 'EXPIRED, UNAVAILABLE, Unregistered', 'a status stands for a device without a reason')
})

// The README's order: the message's own failure reason first, before its devices' reasons.
// guarantee: push-failed-reason
t.test('push.failed names the message\'s own failure reason, not its failed devices\', when it has both', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const ids = await setup(app, 'http://127.0.0.1:9/cb')
  const failed = await inAppWithFallback(app, ids, { failureReason: 'DispatchFailed' })
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: failed.messageId, deviceId: 1n, platform: 'APNS', status: 'FAILED', reason: 'Unregistered' },
      { messageId: failed.messageId, deviceId: 2n, platform: 'FCM', status: 'FAILED', reason: 'UNAVAILABLE' }
    ]
  })
  await app.db.message.update({ where: { id: failed.messageId }, data: { completedAt: new Date() } })
  const [callback] = await pushOutcomeCallbacks(app.db, [failed.messageId])
  t.match(callback?.body, { event: 'push.failed', reason: 'DispatchFailed' })
})

t.test('no callback for an inbox message without a developer, nor for unknown messages', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const ids = await setup(app, 'http://127.0.0.1:9/cb')
  const orphan = await inAppWithFallback(app, { ...ids, developerId: null })
  await app.db.message.update({ where: { id: orphan.messageId }, data: { completedAt: new Date() } })
  t.same(await pushOutcomeCallbacks(app.db, [orphan.messageId]), [])
  t.same(await pushOutcomeCallbacks(app.db, [randomUUID()]), [])
  t.same(await pushOutcomeCallbacks(app.db, []), [])
})

import { randomUUID } from 'node:crypto'
import { startCallbackReceiver, testNatsUrl } from '@beacon/testkit'
import { createNatsTransport, type CommandDelivery } from '@beacon/transport'
import t from 'tap'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'
import { buildApp, call, localCallbackEnv } from '../../helper.js'

const until = async (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// guarantee: delivery-attempts-exhausted, campaign-failed-chunks
t.test('commands JetStream gives up on end failed: the message, its claims, an in-app fallback, a campaign chunk', async (t) => {
  const { app, config } = await buildApp(t, { ...localCallbackEnv, OUTBOX_SWEEP_INTERVAL_MS: '50' })
  const hooks = await startCallbackReceiver({ developers: new Map([['dev-key', 'dev-secret-0123456789']]) })
  t.teardown(() => hooks.close())
  const application = await app.db.application.create({ data: { appId: '2', name: 'app', carrierDomain: 'carrier.example' } })
  const developerId = await allocateDeveloperId(app.db)
  await app.db.developer.create({
    data: {
      id: developerId,
      key: 'dev-key',
      name: 'Dev',
      secret: sealDeveloperSecret(app.secrets, developerId, 'dev-secret-0123456789'),
      callbackUrl: hooks.url('/cb'),
      applications: { create: [{ applicationId: application.id }] }
    }
  })

  // A poison dispatcher: every command comes back, and after two deliveries JetStream gives up.
  const seen: CommandDelivery[] = []
  const dispatcher = await createNatsTransport({ servers: testNatsUrl, prefix: config.nats.prefix, name: 'poison', commandAckWaitMs: 1000, commandMaxDeliver: 2 })
  t.teardown(() => dispatcher.close())

  // A message its first holder attempted on device 1 (the claim stayed PENDING), sent as the push fallback of an in-app message.
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: { userId: 'alice', body: { body: 'hi' } } } })
  const [messageId] = response.json().responseObject.messageIds as string[]
  await app.db.messageDelivery.create({ data: { messageId: messageId!, deviceId: 1n, platform: 'APNS' } })
  const requestId = randomUUID()
  await app.db.inboxMessage.create({
    data: { id: requestId, userId: 'alice', type: 'TEXT', subject: '', summary: 'hi', body: 'hi', developerId, pushMessageId: messageId!, applications: { create: [{ applicationId: application.id }] } }
  })
  // A campaign of one user, one chunk.
  const campaign = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'x' } } })
  await app.db.campaignUser.create({ data: { campaignId: campaign.id, userId: 'alice' } })
  t.equal((await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`)).statusCode, 200)
  dispatcher.consumeCommands(async (delivery) => { seen.push(delivery); delivery.retry(10) }, { concurrency: 2 })

  await until(async () => (await app.db.message.findUniqueOrThrow({ where: { id: messageId! } })).completedAt !== null, 'the message ended')
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: messageId! } }), { failureReason: 'DeliveryAttemptsExhausted' })
  t.match(await app.db.messageDelivery.findFirstOrThrow({ where: { messageId: messageId! } }), { status: 'FAILED', reason: 'DeliveryAttemptsExhausted', unconfirmed: true })
  const detail = (await call(app, 'GET', `/push/message/${messageId!}/detail`)).json().responseObject
  t.match(detail, { completed: true })

  await until(async () => (await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).completedAt !== null, 'the campaign ended')
  const progress = (await call(app, 'GET', `/push/campaign/${campaign.id}/detail`)).json().responseObject
  t.match(progress, { sent: true, progress: { failedChunks: [{ chunk: 0, reason: 'DeliveryAttemptsExhausted' }] } })

  const [callback] = await hooks.until((r) => r.length >= 1)
  t.match(JSON.parse(callback!.body), { eventId: `${requestId}:push.failed`, event: 'push.failed', requestId, to: 'alice@carrier.example', reason: 'DeliveryAttemptsExhausted' })
  t.ok(callback?.verified, 'signed')
  t.equal(seen.filter((d) => d.command.kind === 'message').length, 2, 'delivered twice, then given up')
})

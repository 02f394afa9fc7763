import { randomUUID } from 'node:crypto'
import type { DeviceOutcome, DeviceResult, MessageDetail, SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { createNatsTransport } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { allPages, consoleCall, expectBadRequest } from './fixtures.js'

async function setUp (t: Parameters<typeof buildApp>[0]) {
  const built = await buildApp(t)
  const [two, three] = await Promise.all(['2', '3'].map((appId) => built.app.db.application.create({ data: { appId, name: `app ${appId}` } })))
  return { ...built, two: two!, three: three! }
}

/** A stored message of `applicationId`, created at `createdAt`. */
async function storeMessage (app: FastifyInstance, applicationId: number, createdAt: Date) {
  const message = await app.db.message.create({
    data: { id: randomUUID(), applicationId, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {}, createdAt }
  })
  return message.id
}

// guarantee: console-keyset-pages, console-reads-scoped
t.test('an application\'s messages newest first across pages, ties by id, with their detail\'s counts; none of another application', async (t) => {
  const { app, two, three } = await setUp(t)
  const base = Date.parse('2026-12-01T10:00:00.000Z')
  // Three pairs share a creation time: the page boundaries fall between and inside them.
  const times = [0, 0, 1, 1, 2, 2, 3].map((s) => new Date(base + s * 1000))
  const ids = await Promise.all(times.map((at) => storeMessage(app, two.id, at)))
  const others = await Promise.all([0, 1, 2].map((s) => storeMessage(app, three.id, new Date(base + s * 1000))))
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: ids[0]!, deviceId: 1n, platform: 'APNS', status: 'SENT' },
      { messageId: ids[0]!, deviceId: 2n, platform: 'FCM', status: 'EXPIRED' },
      { messageId: ids[0]!, deviceId: 3n, platform: 'FCM', status: 'PENDING' }
    ]
  })

  const pages = await allPages<MessageDetail>(t, app, 'message/list', 'messageList', { appId: 2 }, 3)
  t.same(pages.map((page) => page.length), [3, 3, 1])
  const listed = pages.flat()
  const expected = ids.map((id, i) => ({ id, at: times[i]!.getTime() }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((m) => m.id)
  t.same(listed.map((m) => m.id), expected, 'newest first, the larger id first among equal times: each once')
  t.notOk(listed.some((m) => others.includes(m.id)), 'application 3\'s messages are not listed')

  for (const message of listed) {
    const detail = await call(app, 'GET', `/push/message/${message.id}/detail`)
    t.same(message, detail.json().responseObject, 'each entry is the message\'s detail')
  }
  t.same(listed.find((m) => m.id === ids[0])?.result, {
    ios: { sent: 1, pending: 0, failed: 0, total: 1 },
    android: { sent: 0, pending: 1, failed: 1, total: 2 }
  })
  await expectBadRequest(t, app, 'message/list', { appId: 9 }, /Application with appId 9 does not exist/)
})

/**
 * Stands in for a dispatcher on the api's streams: claims each device of the message's user as a
 * dispatcher does, then publishes the summary with the outcomes `script` gives (none: left PENDING).
 */
async function standInDispatcher (t: Parameters<typeof buildApp>[0], app: FastifyInstance, prefix: string, script: (index: number) => Omit<DeviceResult, 'messageId' | 'deviceId' | 'platform' | 'at'> | null) {
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'test-dispatcher' })
  t.teardown(() => transport.close())
  let pulling = () => {}
  const ready = new Promise<void>((resolve) => { pulling = resolve })
  transport.consumeCommands(async (delivery) => {
    const command = delivery.command as SendCommand
    const devices = await app.db.device.findMany({ where: { activations: { some: { userId: command.userId } } }, orderBy: { id: 'asc' } })
    const results: DeviceResult[] = []
    for (const [index, device] of devices.entries()) {
      await app.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: device.id, platform: device.platform } })
      const outcome = script(index)
      if (outcome !== null) results.push({ ...outcome, messageId: command.messageId, deviceId: String(device.id), platform: device.platform, at: new Date().toISOString() })
    }
    const none = { sent: 0, pending: 0, failed: 0, total: 0 }
    await transport.publishSummary({ messageId: command.messageId, ios: none, android: none }, results)
    await delivery.ack()
  }, { concurrency: 1, ready: async () => { pulling() } })
  await ready
}

// guarantee: console-keyset-pages, console-reads-scoped
t.test('a message\'s device outcomes after a send, by device id across pages', async (t) => {
  const { app, config, three } = await setUp(t)
  for (let i = 0; i < 5; i++) {
    const response = await call(app, 'POST', '/push/device/create', {
      requestObject: { appId: 2, token: `token-${i}-0123456789abcdef`, platform: 'ios', activationId: `act-${i}`, userId: 'alice' }
    })
    t.equal(response.statusCode, 200)
  }
  // Devices 0–2 sent (the second after a retry), 3 refused as a bad token, 4 still sending.
  await standInDispatcher(t, app, config.nats.prefix, (i) => i < 3
    ? { status: 'SENT', tokenInvalid: false, attempts: i === 1 ? 2 : 1 }
    : i === 3 ? { status: 'FAILED', reason: 'BadDeviceToken', tokenInvalid: false, attempts: 1 } : null)
  const sent = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: { userId: 'alice', body: { title: 'Hi' } } } })
  const [messageId] = sent.json().responseObject.messageIds as string[]

  const deadline = Date.now() + 20_000
  while (await app.db.messageDelivery.count({ where: { messageId, status: { not: 'PENDING' } } }) < 4) {
    if (Date.now() > deadline) throw new Error('the outcomes were not recorded')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const pages = await allPages<DeviceOutcome>(t, app, 'message/outcomes', 'outcomeList', { appId: 2, messageId }, 2)
  t.same(pages.map((page) => page.length), [2, 2, 1])
  const outcomes = pages.flat()
  const deviceIds = (await app.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => String(d.id))
  t.same(outcomes.map((o) => o.deviceId), deviceIds, 'every device once, by id')
  t.same(outcomes.map((o) => [o.platform, o.status, o.reason, o.attempts, o.unconfirmed]), [
    ['apns', 'SENT', null, 1, false],
    ['apns', 'SENT', null, 2, false],
    ['apns', 'SENT', null, 1, false],
    ['apns', 'FAILED', 'BadDeviceToken', 1, false],
    ['apns', 'PENDING', null, 0, false]
  ])
  t.ok(outcomes.slice(0, 4).every((o) => o.timestampCompleted !== null && Date.parse(o.timestampCompleted) >= Date.parse(o.timestampClaimed)))
  t.equal(outcomes[4]!.timestampCompleted, null)

  const [listed] = (await consoleCall(app, 'message/list', { appId: 2 })).json().responseObject.messageList as MessageDetail[]
  t.same(listed!.result.ios, { sent: 3, pending: 1, failed: 1, total: 5 }, 'the list counts what the outcomes say')

  // Another application's message, an unknown one, a malformed id.
  const elsewhere = await storeMessage(app, three.id, new Date())
  await expectBadRequest(t, app, 'message/outcomes', { appId: 2, messageId: elsewhere }, new RegExp(`Message with id ${elsewhere} does not exist in application 2`))
  await expectBadRequest(t, app, 'message/outcomes', { appId: 2, messageId: randomUUID() }, /does not exist in application 2/)
  await expectBadRequest(t, app, 'message/outcomes', { appId: 2, messageId: 'not-a-uuid' }, /requestObject\.messageId must be a message id/)
})

// guarantee: console-reads-scoped
t.test('a message\'s outcomes are its own: none of another message, of its application or another', async (t) => {
  const { app, two, three } = await setUp(t)
  const mine = await storeMessage(app, two.id, new Date())
  const sibling = await storeMessage(app, two.id, new Date())
  const foreign = await storeMessage(app, three.id, new Date())
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: mine, deviceId: 5n, platform: 'APNS', status: 'SENT' },
      { messageId: sibling, deviceId: 1n, platform: 'FCM', status: 'FAILED' },
      { messageId: foreign, deviceId: 2n, platform: 'APNS', status: 'SENT' },
      { messageId: foreign, deviceId: 9n, platform: 'FCM', status: 'PENDING' }
    ]
  })
  const outcomes = (await consoleCall(app, 'message/outcomes', { appId: 2, messageId: mine })).json().responseObject
  t.same(outcomes.outcomeList.map((o: DeviceOutcome) => [o.deviceId, o.status]), [['5', 'SENT']])
  t.equal(outcomes.nextCursor, null)
})

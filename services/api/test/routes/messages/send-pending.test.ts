import type { DeviceResult, SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { createNatsTransport } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

// Long enough for the stand-in dispatcher below to claim its devices (milliseconds, its consumer
// ready before the send) before the api gives up waiting, on a busy machine too. Not longer: every
// answer here comes only at the timeout (some devices are always held back), twice per file.
const SYNC_TIMEOUT_MS = 6000

type Platform = 'APNS' | 'FCM'
interface Device { id: bigint, platform: Platform }

/** Registers `platforms.length` devices of `userId` in application 2, as /push/device/create stores them. */
async function registerDevices (app: FastifyInstance, applicationId: number, userId: string, platforms: Platform[]): Promise<Device[]> {
  const devices: Device[] = []
  for (const [i, platform] of platforms.entries()) {
    const device = await app.db.device.create({ data: { applicationId, pushToken: `${userId}-token-${i}`, platform } })
    await app.db.deviceActivation.create({
      data: { applicationId, deviceId: device.id, activationId: `${userId}-activation-${i}`, userId, activationStatus: 'ACTIVE' }
    })
    devices.push({ id: device.id, platform })
  }
  return devices
}

/** What the stand-in dispatcher does with a user's message: answer some devices, hold the rest back. */
interface Script { devices: Device[], answered: number, summary: boolean }

/**
 * A stand-in for a dispatcher on the api's own streams: for each message it claims every device
 * of its user (PENDING rows, as a dispatcher does just before its requests), publishes SENT for
 * the first `answered` ones and, with `summary`, the message's summary. Nothing else comes: the
 * rest of the devices are held back, as by a dispatcher waiting on a slow provider.
 */
async function standInDispatcher (t: Parameters<typeof buildApp>[0], prefix: string, app: FastifyInstance, scripts: Map<string, Script>) {
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'test-dispatcher' })
  t.teardown(() => transport.close())
  // `ready` is first awaited once the command consumer exists, just before the first pull: resolved
  // only then, so that no part of SYNC_TIMEOUT_MS is spent creating the consumer.
  let pulling = () => {}
  const consumerReady = new Promise<void>((resolve) => { pulling = resolve })
  transport.consumeCommands(async (delivery) => {
    const command = delivery.command as SendCommand
    const script = scripts.get(command.userId)!
    for (const device of script.devices) {
      await app.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: device.id, platform: device.platform } })
    }
    const results: DeviceResult[] = script.devices.slice(0, script.answered).map((device) => ({
      messageId: command.messageId, deviceId: String(device.id), platform: device.platform, status: 'SENT', tokenInvalid: false, attempts: 1, at: new Date().toISOString()
    }))
    if (script.summary) {
      const counts = (platform: Platform) => {
        const n = script.devices.filter((device) => device.platform === platform).length
        return { sent: n, pending: 0, failed: 0, total: n }
      }
      await transport.publishSummary({ messageId: command.messageId, ios: counts('APNS'), android: counts('FCM') }, results)
    } else if (results.length > 0) {
      await transport.publishDeviceResults(results)
    }
    await delivery.ack()
  }, { concurrency: 4, ready: async () => { pulling() } })
  await consumerReady
}

async function setUp (t: Parameters<typeof buildApp>[0]) {
  const built = await buildApp(t, { SYNC_TIMEOUT_MS: String(SYNC_TIMEOUT_MS) })
  const application = await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  return { ...built, applicationId: application.id }
}

const message = (userId: string) => ({ userId, body: { title: 'Balance update', body: 'Your balance is now $745.00' } })

// guarantee: sync-timeout-pending
t.test('SYNCHRONOUS: devices claimed and not answered by SYNC_TIMEOUT_MS are counted pending, per platform', async (t) => {
  const { app, config, applicationId } = await setUp(t)
  const devices = await registerDevices(app, applicationId, 'alice', ['APNS', 'APNS', 'FCM'])
  await standInDispatcher(t, config.nats.prefix, app, new Map([['alice', { devices, answered: 0, summary: false }]]))

  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, message: message('alice') } })
  t.equal(response.statusCode, 200)
  t.same(response.json().responseObject.result, {
    ios: { sent: 0, pending: 2, failed: 0, total: 2 },
    android: { sent: 0, pending: 1, failed: 0, total: 1 }
  })
})

// guarantee: sync-timeout-pending
t.test('SYNCHRONOUS batch: what arrived in time is counted sent, the rest pending', async (t) => {
  const { app, config, applicationId } = await setUp(t)
  // alice's message is finished (its summary arrives); bob's has one device answered, two held back.
  const alice = await registerDevices(app, applicationId, 'alice', ['APNS', 'FCM'])
  const bob = await registerDevices(app, applicationId, 'bob', ['APNS', 'APNS', 'FCM'])
  await standInDispatcher(t, config.nats.prefix, app, new Map([
    ['alice', { devices: alice, answered: 2, summary: true }],
    ['bob', { devices: bob, answered: 1, summary: false }]
  ]))

  const response = await call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, batch: [message('alice'), message('bob')] } })
  t.equal(response.statusCode, 200)
  t.same(response.json().responseObject.result, {
    ios: { sent: 2, pending: 1, failed: 0, total: 3 },
    android: { sent: 1, pending: 1, failed: 0, total: 2 }
  })
})

// guarantee: send-answer-shapes
t.test('the answer in every client\'s shape: result (seed), ios/android/huawei (1.x), apns/fcm/hms (newest), mode', async (t) => {
  const { app, config, applicationId } = await setUp(t)
  const alice = await registerDevices(app, applicationId, 'alice', ['APNS', 'FCM'])
  const bob = await registerDevices(app, applicationId, 'bob', ['APNS', 'APNS', 'FCM'])
  await standInDispatcher(t, config.nats.prefix, app, new Map([
    ['alice', { devices: alice, answered: 2, summary: true }],
    ['bob', { devices: bob, answered: 1, summary: false }]
  ]))

  const response = await call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, mode: null, batch: [message('alice'), message('bob')] } })
  t.equal(response.statusCode, 200)
  const { messageIds, ...answer } = response.json().responseObject
  const ios = { sent: 2, pending: 1, failed: 0, total: 3 }
  const android = { sent: 1, pending: 1, failed: 0, total: 2 }
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  t.same(answer, {
    mode: 'SYNCHRONOUS',
    result: { ios, android },
    ios,
    android,
    huawei: none,
    apns: ios,
    fcm: android,
    hms: none
  })
  t.equal(messageIds.length, 2)
})

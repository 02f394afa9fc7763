import { iosToken } from '@beacon/testkit'
import { createSecretBox } from '@beacon/db'
import t from 'tap'
import { BUNDLE, resultsOf, startHarness, type Harness } from '../../harness.js'

const OTHER_BUNDLE = 'com.beacon.dispatcher-test.other'

/** A second application (PowerAuth app id 8) with an APNs key of its own; SANDBOX by default. */
async function secondApplication (h: Harness): Promise<number> {
  const key = h.apns.createKey({ bundles: [OTHER_BUNDLE] })
  const { id } = await h.db.application.create({ data: { appId: '8', name: 'eight', apnsBundle: OTHER_BUNDLE, apnsKeyId: key.keyId, apnsTeamId: key.teamId, apnsEnvironment: 'SANDBOX' } })
  const sealed = createSecretBox(h.masterKey).seal({ column: 'application.apns_private_key', rowId: id }, key.privateKeyPem)
  await h.db.application.update({ where: { id }, data: { apnsPrivateKey: new Uint8Array(sealed), credentialsVersion: 1 } })
  return id
}

// guarantee: apns-one-connection-per-app-env
t.test('APNs: one HTTP/2 connection per application and environment, however many sends and commands', async (t) => {
  const h = await startHarness(t)
  const apps = [{ id: h.applicationId, bundle: BUNDLE }, { id: await secondApplication(h), bundle: OTHER_BUNDLE }]
  const tokens: string[] = []
  for (const [a, app] of apps.entries()) {
    // Devices with either environment, and with none (the application's default).
    for (const environment of ['SANDBOX', 'PRODUCTION', null, 'SANDBOX', 'PRODUCTION'] as const) {
      const token = iosToken()
      tokens.push(token)
      h.apns.registerDevice(token, app.bundle)
      const device = await h.db.device.create({ data: { applicationId: app.id, pushToken: token, platform: 'APNS', environment } })
      await h.db.deviceActivation.create({ data: { applicationId: app.id, deviceId: device.id, activationId: `${a}-${token.slice(0, 8)}`, userId: 'everyone', activationStatus: 'ACTIVE' } })
    }
  }
  await h.startDispatcher({ DISPATCHER_CONCURRENCY: '4' })
  const messageIds: string[] = []
  for (let round = 0; round < 4; round++) {
    for (const app of apps) {
      const stored = await h.storeMessage('everyone')
      const command = { ...stored, applicationId: app.id }
      await h.db.message.update({ where: { id: command.messageId }, data: { applicationId: app.id } })
      messageIds.push(command.messageId)
      await h.transport.publishCommand(command)
    }
  }
  await h.until(() => messageIds.every((id) => resultsOf(h.events, id).summary !== undefined), 'every summary')

  t.same(tokens.map((token) => h.apns.received(token).length), tokens.map(() => 4), 'every device got each of its application\'s four messages')
  t.same(h.apns.counters.byStatus, { 200: 40 })
  t.equal(h.apns.connections, 4, 'two applications × two environments')
})

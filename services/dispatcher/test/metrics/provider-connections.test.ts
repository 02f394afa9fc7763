import t from 'tap'
import { resultsOf, startHarness, type Harness } from '../harness.js'
import { snapshot } from './metric-values.js'

const SERIES = {
  apnsOpened: ['beacon_provider_connections_opened_total', { provider: 'apns' }],
  fcmOpened: ['beacon_provider_connections_opened_total', { provider: 'fcm' }],
  apnsOpen: ['beacon_provider_connections', { provider: 'apns' }],
  fcmOpen: ['beacon_provider_connections', { provider: 'fcm' }]
} satisfies Record<string, [string, Record<string, string>]>

async function sendOne (h: Harness, userId: string): Promise<void> {
  const command = await h.storeMessage(userId)
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
}

// guarantee: provider-connection-metrics
t.test('the connection metrics follow the connections the providers saw opened and closed', async (t) => {
  const h = await startHarness(t)
  await h.startDispatcher()
  const userId = 'connections-user-7d2e'
  await h.addDevices(userId, 2, 'APNS')
  await h.addDevices(userId, 2, 'FCM')
  const mocks = () => ({ apns: h.apns.connections, fcm: h.fcm.http2Connections.opened })
  const start = await snapshot(SERIES)
  const seenAtStart = mocks()

  await sendOne(h, userId)
  const first = await snapshot(SERIES)
  const seen = mocks()
  t.ok(seen.apns > seenAtStart.apns && seen.fcm > seenAtStart.fcm, 'both providers saw a connection')
  t.equal(first.apnsOpened! - start.apnsOpened!, seen.apns - seenAtStart.apns, 'APNs: opened as many as the provider accepted')
  t.equal(first.fcmOpened! - start.fcmOpened!, seen.fcm - seenAtStart.fcm, 'FCM: opened as many as the provider accepted')
  t.equal(first.apnsOpen! - start.apnsOpen!, h.apns.openConnections, 'APNs: open as many as the provider holds open')
  t.equal(first.fcmOpen! - start.fcmOpen!, h.fcm.http2Connections.open, 'FCM: open as many as the provider holds open')

  // The providers' front ends drop every connection: the gauge falls back, the next send opens anew.
  h.apns.dropConnections()
  h.fcm.dropHttp2Connections()
  await h.until(async () => {
    const now = await snapshot(SERIES)
    return now.apnsOpen === start.apnsOpen && now.fcmOpen === start.fcmOpen
  }, 'the open gauges back where they started')
  await sendOne(h, userId)
  const second = await snapshot(SERIES)
  const seenAgain = mocks()
  t.ok(seenAgain.apns > seen.apns && seenAgain.fcm > seen.fcm, 'new connections after the drop')
  t.equal(second.apnsOpened! - first.apnsOpened!, seenAgain.apns - seen.apns, 'APNs: each new connection counted')
  t.equal(second.fcmOpened! - first.fcmOpened!, seenAgain.fcm - seen.fcm, 'FCM: each new connection counted')
  t.equal(second.apnsOpen! - start.apnsOpen!, h.apns.openConnections)
  t.equal(second.fcmOpen! - start.fcmOpen!, h.fcm.http2Connections.open)
})

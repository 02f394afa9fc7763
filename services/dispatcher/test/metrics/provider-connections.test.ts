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
  let previous = { metrics: start, seen: mocks() }
  // A send, then the metrics against what the providers saw since the previous step.
  const sendAndCompare = async (step: string) => {
    await sendOne(h, userId)
    const metrics = await snapshot(SERIES)
    const seen = mocks()
    t.ok(seen.apns > previous.seen.apns && seen.fcm > previous.seen.fcm, `${step}: both providers saw a new connection`)
    t.equal(metrics.apnsOpened! - previous.metrics.apnsOpened!, seen.apns - previous.seen.apns, `${step}: APNs, opened as many as the provider accepted`)
    t.equal(metrics.fcmOpened! - previous.metrics.fcmOpened!, seen.fcm - previous.seen.fcm, `${step}: FCM, opened as many as the provider accepted`)
    t.equal(metrics.apnsOpen! - start.apnsOpen!, h.apns.openConnections, `${step}: APNs, open as many as the provider holds open`)
    t.equal(metrics.fcmOpen! - start.fcmOpen!, h.fcm.http2Connections.open, `${step}: FCM, open as many as the provider holds open`)
    previous = { metrics, seen }
  }

  await sendAndCompare('first send')
  // The providers' front ends drop every connection: the gauge falls back, the next send opens anew.
  h.apns.dropConnections()
  h.fcm.dropHttp2Connections()
  await h.until(async () => {
    const now = await snapshot(SERIES)
    return now.apnsOpen === start.apnsOpen && now.fcmOpen === start.fcmOpen
  }, 'the open gauges back where they started')
  await sendAndCompare('after the drop')
})

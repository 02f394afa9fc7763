import t from 'tap'
import { resultsOf, startHarness } from '../harness.js'

// guarantee: provider-timeout-retried
t.test('a request the provider leaves unanswered past APNS_TIMEOUT_MS / FCM_TIMEOUT_MS is retried; the device ends sent when the retry is answered', async (t) => {
  const h = await startHarness(t)
  const [ios] = await h.addDevices('timeouts', 1, 'APNS')
  const [android] = await h.addDevices('timeouts', 1, 'FCM')
  h.apns.script(ios!, ['hang', 'success'])
  h.fcm.script(android!, ['hang', 'success'])
  await h.startDispatcher({ APNS_TIMEOUT_MS: '300', FCM_TIMEOUT_MS: '300' })
  const command = await h.storeMessage('timeouts')
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')

  t.same(h.apns.received(ios!).map((r) => r.status), ['hung', 200], 'APNs: the unanswered request, then its retry')
  t.same(h.fcm.received(android!).length, 2, 'FCM: the unanswered request, then its retry')
  t.same(h.fcm.counters.hung, 1)
  const { devices, summary } = resultsOf(h.events, command.messageId)
  t.same(devices.map((d) => [d.platform, d.status, d.reason ?? null, d.attempts]).sort(), [['APNS', 'SENT', null, 2], ['FCM', 'SENT', null, 2]])
  t.match(summary, { ios: { sent: 1, total: 1 }, android: { sent: 1, total: 1 } })
})

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

// guarantee: provider-timeout-may-duplicate
t.test('a request the provider answers only after the timeout is sent again: the provider got it twice, the device is recorded once with both attempts', async (t) => {
  const h = await startHarness(t)
  const [ios] = await h.addDevices('late', 1, 'APNS')
  const [android] = await h.addDevices('late', 1, 'FCM')
  // Processed and answered 200, but after the client gave up on it.
  h.apns.script(ios!, [{ kind: 'slow', delayMs: 900 }, 'success'])
  h.fcm.script(android!, [{ kind: 'slow', delayMs: 900 }, 'success'])
  await h.startDispatcher({ APNS_TIMEOUT_MS: '300', FCM_TIMEOUT_MS: '300' })
  const command = await h.storeMessage('late')
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  // The late answers come after the retry's: wait for the providers to have answered both.
  await h.until(() => h.apns.received(ios!).length === 2 && h.fcm.received(android!).length === 2, 'both requests at each provider')

  t.same(h.apns.received(ios!).map((r) => r.status), [200, 200], 'APNs received and accepted it twice')
  t.same(h.fcm.received(android!).map((r) => r.status), [200, 200], 'FCM too')
  const { devices, summary } = resultsOf(h.events, command.messageId)
  t.same(devices.map((d) => [d.platform, d.status, d.attempts]).sort(), [['APNS', 'SENT', 2], ['FCM', 'SENT', 2]], 'recorded once each, with both attempts')
  t.match(summary, { ios: { sent: 1, total: 1 }, android: { sent: 1, total: 1 } })
})

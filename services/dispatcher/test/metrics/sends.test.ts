import { scrape } from '@beacon/metrics'
import t from 'tap'
import { resultsOf, startHarness } from '../harness.js'
import { metricValue, snapshot } from './metric-values.js'

const SERIES = {
  apnsSent: ['beacon_sends_total', { provider: 'apns', outcome: 'sent', reason: 'none' }],
  apnsBadToken: ['beacon_sends_total', { provider: 'apns', outcome: 'failed', reason: 'BadDeviceToken' }],
  apnsOther: ['beacon_sends_total', { provider: 'apns', outcome: 'failed', reason: 'other' }],
  fcmSent: ['beacon_sends_total', { provider: 'fcm', outcome: 'sent', reason: 'none' }],
  fcmGone: ['beacon_sends_total', { provider: 'fcm', outcome: 'failed', reason: 'registration-token-not-registered' }],
  apnsOk: ['beacon_provider_request_duration_seconds_count', { provider: 'apns', result: 'ok' }],
  apnsError: ['beacon_provider_request_duration_seconds_count', { provider: 'apns', result: 'error' }],
  fcmOk: ['beacon_provider_request_duration_seconds_count', { provider: 'fcm', result: 'ok' }],
  fcmError: ['beacon_provider_request_duration_seconds_count', { provider: 'fcm', result: 'error' }],
  apnsRetries: ['beacon_send_retries_total', { provider: 'apns' }],
  apnsWaits: ['beacon_retry_after_wait_seconds_count', { provider: 'apns' }],
  apnsWaited: ['beacon_retry_after_wait_seconds_sum', { provider: 'apns' }],
  messagesDone: ['beacon_commands_total', { kind: 'message', outcome: 'done' }],
  messagesInHand: ['beacon_commands_in_hand', { kind: 'message' }]
} satisfies Record<string, [string, Record<string, string>]>

// guarantee: dispatcher-send-metrics
t.test('a message sent through both providers moves the send, latency, retry and command metrics, with bounded labels only', async (t) => {
  const h = await startHarness(t)
  await h.startDispatcher()
  const userId = 'metrics-user-4f1c2a'
  const [ok, badToken, unknownReason, throttled] = await h.addDevices(userId, 4, 'APNS')
  const [fcmOk, fcmGone] = await h.addDevices(userId, 2, 'FCM')
  h.apns.script(badToken!, 'bad-token')
  // A reason word Apple does not document: reported to the client, but `other` as a label.
  h.apns.script(unknownReason!, { kind: 'refused', status: 400, text: 'SomethingAppleNeverSaid' })
  h.apns.script(throttled!, [{ kind: 'rate-limited', retryAfterSeconds: 1 }, 'success'])
  h.fcm.script(fcmGone!, 'unregistered')
  const before = await snapshot(SERIES)

  const command = await h.storeMessage(userId)
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  await h.until(async () => await metricValue('beacon_commands_total', { kind: 'message', outcome: 'done' }) > before.messagesDone!, 'the command counted')

  const after = await snapshot(SERIES)
  const moved = Object.fromEntries(Object.keys(SERIES).map((key) => [key, after[key]! - before[key]!]))
  t.match(moved, {
    apnsSent: 2,
    apnsBadToken: 1,
    apnsOther: 1,
    fcmSent: 1,
    fcmGone: 1,
    apnsOk: 2,
    apnsError: 3,
    fcmOk: 1,
    fcmError: 1,
    apnsRetries: 1,
    apnsWaits: 1,
    messagesDone: 1,
    messagesInHand: 0
  }, 'one latency observation per request, one send result per device')
  t.ok(moved.apnsWaited! >= 1, 'the wait APNs imposed (Retry-After: 1) is observed in seconds')
  t.ok(ok)

  const { body } = await scrape()
  t.match(body, /beacon_dependency_up\{part="database"\} 1/)
  t.match(body, /beacon_dependency_up\{part="nats"\} 1/)
  for (const unbounded of [userId, command.messageId, ok!, badToken!, fcmOk!, fcmGone!, 'SomethingAppleNeverSaid', h.prefix]) {
    t.notOk(body.includes(unbounded), `the scrape holds no ${unbounded.slice(0, 24)}…`)
  }
  const reasons = new Set([...body.matchAll(/beacon_sends_total\{[^}]*reason="([^"]*)"/g)].map((match) => match[1]))
  t.same([...reasons].filter((reason) => !/^(none|other|[A-Za-z]+|[a-z]+(\/[a-z-]+|-[a-z-]+)?)$/.test(reason!)), [], 'reasons are codes')
})

// Case 8 of issue 12: providers that accept requests and never answer, and a Retry-After: 86400
// storm. Provider calls are bounded: each device ends FAILED after at most RETRY_MAX_ATTEMPTS
// requests, and every message completes. And an APNs or FCM connection that stops answering
// altogether (pings included) is replaced; FCM dropping its connections mid-send loses nothing.
import type { Pipeline } from '@beacon/testkit'
import t from 'tap'
import { sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { whenReceived } from './harness/faults.js'
import { assertLedger, settle, unansweredClaims } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

const MAX_ATTEMPTS = 3
const BOUNDED = { APNS_TIMEOUT_MS: '1000', FCM_TIMEOUT_MS: '1000', RETRY_AFTER_MAX_MS: '1000', RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS) }

t.test('hung providers and a day-long Retry-After: bounded attempts, every message terminal', async (t) => {
  const stack = await startChaosStack(t, {
    dispatchers: 1,
    dispatcherEnv: BOUNDED
  })
  const hung = await seedDevices(stack, stack.appId, 8, { prefix: 'hung' })
  const limited = await seedDevices(stack, stack.appId, 8, { prefix: 'limited' })
  const healthy = await seedDevices(stack, stack.appId, 8, { prefix: 'healthy' })
  for (const device of hung) (device.platform === 'APNS' ? stack.apns : stack.fcm).script(device.token, 'hang')
  for (const device of limited) (device.platform === 'APNS' ? stack.apns : stack.fcm).script(device.token, { kind: 'rate-limited', retryAfterSeconds: 86400 })
  const all = [...hung, ...limited, ...healthy]
  const sentAt = Date.now()
  const scope = { messageIds: await sendMessages(stack, usersOf(all), 'batch') }

  await settle(t, stack, scope, 'every message completed', { at: sentAt, event: 'the send' })
  const ledger = await assertLedger(t, stack, all, scope, { maxDuplicates: 0, bound: 'only healthy devices are accepted, once' })
  const attempts = all.map((device) => (device.platform === 'APNS' ? stack.apns : stack.fcm).received(device.token).length)
  t.comment(`requests per device: hung ${attempts.slice(0, 8).join(',')}; rate-limited ${attempts.slice(8, 16).join(',')}`)
  t.ok(Math.max(...attempts) <= MAX_ATTEMPTS, `at most ${MAX_ATTEMPTS} requests per device (most: ${Math.max(...attempts)})`)
  const failed = new Set(ledger.rows.filter((row) => row.status === 'FAILED' && row.reason !== null).map((row) => row.device_id))
  t.equal([...hung, ...limited].filter((device) => failed.has(device.id.toString())).length, 16, 'every hung and rate-limited device FAILED with a reason')
})

// Each provider's connection, frozen the same way: the APNs mock's, and the FCM mock's HTTP/2 one.
const frozenConnections = [
  { platform: 'APNS', name: 'APNs', freeze: (stack: Pipeline) => stack.apns.freezeConnections(), opened: (stack: Pipeline) => stack.apns.connections },
  { platform: 'FCM', name: 'FCM', freeze: (stack: Pipeline) => stack.fcm.freezeHttp2Connections(), opened: (stack: Pipeline) => stack.fcm.http2Connections.opened }
] as const

for (const provider of frozenConnections) {
  // guarantee: apns-session-ping
  // guarantee: fcm-session-ping
  t.test(`an ${provider.name} connection that stops answering (pings too) is replaced, and the devices behind it are reached`, async (t) => {
    const stack = await startChaosStack(t, { dispatchers: 1, dispatcherEnv: BOUNDED })
    const [first, ...rest] = await seedDevices(stack, stack.appId, 6, { prefix: `frozen-${provider.platform}`, platform: provider.platform })
    const warm = { messageIds: await sendMessages(stack, usersOf([first!]), 'single') }
    await settle(t, stack, warm, 'the first message went out over a fresh connection', { at: Date.now(), event: 'its send' })
    provider.freeze(stack)
    const frozenAt = Date.now()
    const scope = { messageIds: await sendMessages(stack, usersOf(rest), 'batch') }
    await settle(t, stack, scope, 'every message completed', { at: frozenAt, event: 'the freeze' })
    await assertLedger(t, stack, rest, scope, { maxDuplicates: 0, bound: 'the frozen connection delivered nothing' })
    t.ok(provider.opened(stack) >= 2, `a new connection replaced the frozen one (${provider.opened(stack)} opened)`)
  })
}

// FCM's connections all reset while requests are on them (a front end restarting): each request
// in flight fails on its own and is retried over a new connection; nothing stays in flight.
t.test('FCM drops its connections mid-send: every device reached, only the requests in flight then sent twice', async (t) => {
  // Eight requests at a time: at the drop some devices are answered, some on the wire, some not sent yet.
  const stack = await startChaosStack(t, { dispatchers: 1, dispatcherEnv: { ...BOUNDED, FCM_CONCURRENCY: '8' } })
  const devices = await seedDevices(stack, stack.appId, 40, { prefix: 'dropped-fcm', platform: 'FCM' })
  for (const device of devices) stack.fcm.script(device.token, { kind: 'slow', delayMs: 300 })
  const sentAt = Date.now()
  const scope = { messageIds: await sendMessages(stack, usersOf(devices), 'batch') }
  await whenReceived(stack, 12)
  stack.fcm.dropHttp2Connections()
  const droppedAt = new Date().toISOString()
  const unanswered = await unansweredClaims(stack, devices)
  await settle(t, stack, scope, 'every message completed', { at: sentAt, event: 'the send' })
  await assertLedger(t, stack, devices, scope, {
    maxDuplicates: 8,
    bound: 'at most the requests on the wire at the drop (FCM_CONCURRENCY 8) are accepted twice',
    mayRepeat: { devices: unanswered, at: droppedAt }
  })
  t.ok(stack.fcm.http2Connections.opened >= 2, `sent again over a new connection (${stack.fcm.http2Connections.opened} opened)`)
})

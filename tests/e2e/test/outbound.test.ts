import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { developerClient, startCallbackReceiver, type ReceivedCallback } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { androidToken, iosToken, startStack, type Stack } from './stack.js'

// Text an attacker controls upstream (a token endpoint, a provider's error): markup, and 2 KB of it.
// No quotes or backslashes, so that it reads the same inside the services' JSON log lines.
const HOSTILE = `<script>alert(document.cookie)</script>${'A'.repeat(2048)}`

/** The recorded outcome of a message, once the api recorded it (a synchronous answer can come first). */
async function recorded (stack: Stack, messageId: string) {
  await stack.until(async () => (await stack.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt !== null, `message ${messageId} recorded`, 60_000)
  const message = await stack.db.message.findUniqueOrThrow({ where: { id: messageId } })
  const deliveries = await stack.db.messageDelivery.findMany({ where: { messageId } })
  const detail = await stack.call('GET', `/push/message/${messageId}/detail`)
  return { message, deliveries, detail }
}

async function sendTo (stack: Stack, appId: number, userId: string) {
  const response = await stack.call('POST', '/push/message/send', { requestObject: { appId, message: { userId, body: { title: 'hello' } } } })
  if (response.status !== 200) throw new Error(JSON.stringify(response.body))
  return response.body.responseObject as { result: any, messageIds: string[] }
}

/** A token endpoint that refuses every grant in `HOSTILE` words. */
async function hostileTokenEndpoint (t: Test) {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: HOSTILE, error_description: HOSTILE })))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
}

t.test('a dispatcher without FCM_TOKEN_ALLOW_PRIVATE_NETWORKS never connects to a token_uri on 127.0.0.1', async (t) => {
  const stack = await startStack(t, { dispatcherEnv: { FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'false' } })
  await stack.configureApplication(5)
  const android = androidToken()
  const ios = iosToken()
  await stack.registerDevice(5, { token: android, platform: 'android', userId: 'u-guard' })
  await stack.registerDevice(5, { token: ios, platform: 'ios', userId: 'u-guard' })
  const sent = await sendTo(stack, 5, 'u-guard')
  t.same(sent.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } })
  const reason = "FCM credentials of application 5 were refused (DestinationForbidden): check the application's FCM configuration"
  const { message, deliveries, detail } = await recorded(stack, sent.messageIds[0]!)
  t.equal(message.failureReason, reason)
  t.equal(detail.body.responseObject.failureReason, reason, 'the API answer names the stable reason')
  t.equal(deliveries.find((d) => d.reason !== null)?.reason, reason)
  t.equal(stack.fcm.tokenRequests, 0, 'the token endpoint got no request')
  t.equal(stack.fcm.log.length, 0, 'and FCM nothing without a token')
  const refusal = stack.dispatchers[0]!.output().split('\n').find((line) => line.includes('FCM access token not obtained'))
  t.match(JSON.parse(refusal ?? '{}'), { level: 40, reason: 'DestinationForbidden', tokenHost: `127.0.0.1:${stack.fcm.port}`, address: '127.0.0.1', range: 'loopback' })

  // Control: a dispatcher that allows private networks reaches the same endpoint, so the counter counts.
  await stack.dispatchers[0]!.stop()
  await stack.startDispatcher({ FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'true' })
  const again = await sendTo(stack, 5, 'u-guard')
  t.same(again.result.android, { sent: 1, pending: 0, failed: 0, total: 1 })
  t.ok(stack.fcm.tokenRequests >= 1)
})

t.test('upstream words reach the logs, never an API answer or a callback', async (t) => {
  const tokenUri = await hostileTokenEndpoint(t)
  const stack = await startStack(t, { extraFcmTokenUris: [tokenUri], apiEnv: { INAPP_ACK_TIMEOUT_MS: '300', CALLBACK_BASE_DELAY_MS: '50' } })
  const carrier = 'carrier.example'
  // Application 8: APNs as the mock wants it, FCM through the hostile token endpoint.
  await stack.configureApplication(8)
  const { id } = await stack.db.application.findFirstOrThrow({ where: { appId: '8' } })
  const hostileAccount = { ...stack.fcm.createServiceAccount({ projectId: 'beacon-e2e' }), token_uri: tokenUri }
  t.equal((await stack.call('PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'beacon-e2e', privateKeyBase64: Buffer.from(JSON.stringify(hostileAccount)).toString('base64') } })).status, 200)
  t.equal((await stack.call('PUT', '/admin/app/carrier', { requestObject: { appId: 8, carrierDomain: carrier } })).status, 200)
  // Application 9: all as the mocks want it; FCM itself refuses one device in hostile words.
  await stack.configureApplication(9)

  const [fcmDevice, apnsDevice, fcmRefused] = [androidToken(), iosToken(), androidToken()]
  stack.apns.script(apnsDevice, { kind: 'refused', status: 400, text: HOSTILE })
  stack.fcm.script(fcmRefused, { kind: 'refused', status: 400, text: HOSTILE })
  await stack.registerDevice(8, { token: fcmDevice, platform: 'android', userId: 'mallory-fcm' })
  await stack.registerDevice(8, { token: apnsDevice, platform: 'ios', userId: 'mallory-apns' })
  await stack.registerDevice(9, { token: fcmRefused, platform: 'android', userId: 'mallory-fcm-message' })

  // The PowerAuth API: message results and detail.
  const answers: string[] = []
  const expectations: Array<[number, string, string | null, string]> = [
    [8, 'mallory-fcm', "FCM credentials of application 8 were refused (TokenEndpointRefused (HTTP 400)): check the application's FCM configuration", "FCM credentials of application 8 were refused (TokenEndpointRefused (HTTP 400)): check the application's FCM configuration"],
    [8, 'mallory-apns', null, 'HTTP 400'],
    [9, 'mallory-fcm-message', null, 'invalid-argument']
  ]
  for (const [appId, userId, failureReason, deviceReason] of expectations) {
    const sent = await sendTo(stack, appId, userId)
    answers.push(JSON.stringify(sent))
    const { message, deliveries, detail } = await recorded(stack, sent.messageIds[0]!)
    answers.push(JSON.stringify(detail.body))
    t.equal(message.failureReason, failureReason, `${userId}: the message's reason`)
    t.same(deliveries.map((d) => [d.status, d.reason]), [['FAILED', deviceReason]], `${userId}: the device's reason`)
  }

  // The signed API: push fallback of in-app messages, reported to the developer's callback.
  const secrets = new Map<string, string>()
  const receiver = await startCallbackReceiver({ developers: (key) => secrets.get(key) })
  t.teardown(() => receiver.close())
  const created = await stack.call('POST', '/admin/developer/create', { requestObject: { name: 'Acme', callbackUrl: receiver.url('/hooks'), carriers: [carrier] } })
  const { key, secret } = created.body.responseObject as { key: string, secret: string }
  secrets.set(key, secret)
  const developer = developerClient({ baseUrl: stack.url, key, secret })
  const requestIds: Record<string, string> = {}
  for (const user of ['mallory-fcm', 'mallory-apns']) {
    const response = await developer.request('POST', `/api/1.0/push/${user}@${carrier}`, { content: 'hi', push: { content: 'hi by push' } })
    answers.push(await response.text())
    requestIds[user] = JSON.parse(answers.at(-1)!).requestId
  }
  const failedEvents = (all: ReceivedCallback[]) => all.filter((callback) => callback.verified && callback.body.includes('push.failed'))
  const received = failedEvents(await receiver.until((all) => failedEvents(all).length >= 2, 60_000))
  const byRequest = new Map(received.map((callback) => [JSON.parse(callback.body).requestId as string, JSON.parse(callback.body)]))
  t.equal(byRequest.get(requestIds['mallory-fcm']!)?.reason, expectations[0]![2])
  t.equal(byRequest.get(requestIds['mallory-apns']!)?.reason, 'HTTP 400')

  for (const text of [...answers, ...received.map((callback) => callback.body)]) {
    t.notOk(text.includes('<script>') || text.includes('AAAAAAAAAA'), `no upstream text in: ${text.slice(0, 80)}…`)
  }
  const dispatcherLog = stack.dispatchers[0]!.output()
  const lines = dispatcherLog.split('\n').filter((line) => line.includes(HOSTILE)).map((line) => JSON.parse(line))
  t.match(lines.find((line) => line.msg === 'FCM access token not obtained'), { level: 40, upstreamError: HOSTILE, status: 400 }, "the token endpoint's words are logged")
  t.match(lines.find((line) => line.msg === 'devices not sent' && line.platform === 'APNS'), { level: 40, reason: 'HTTP 400', detail: HOSTILE }, "Apple's (here: hostile) words are logged")
  t.match(lines.find((line) => line.msg === 'devices not sent' && line.platform === 'FCM'), { level: 40, reason: 'invalid-argument', detail: HOSTILE }, "FCM's words are logged")
  t.notOk(dispatcherLog.includes(fcmDevice) || dispatcherLog.includes(apnsDevice), 'device tokens are not logged')
})

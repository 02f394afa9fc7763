import { startFcmMock, type FcmMock } from '@beacon/testkit'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'

const device = (token: string, id: number): DeviceTarget => ({ id: BigInt(id), token, platform: 'FCM', environment: null })
let applicationIds = 0

/** A sender to the mock's HTTP/2 endpoint (`ca` trusted when given), prepared for one alert. */
function senderTo (t: Test, fcm: FcmMock, options: { ca: Buffer | null, concurrency?: number, requestTimeoutMs?: number }) {
  const account = fcm.createServiceAccount({ projectId: 'over-http2' })
  // Each sender its own application id: firebase-admin's apps are named by it, process-wide.
  const credentials: ApplicationCredentials = { id: ++applicationIds, appId: 'over-http2', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const sender = createFcmSender({
    url: new URL(fcm.endpoint),
    ca: options.ca,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    concurrency: options.concurrency ?? 4,
    tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true }
  })
  t.teardown(() => sender.close())
  const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!prepared.ok) throw new Error(prepared.reason)
  return prepared.prepared
}

async function startMock (t: Test) {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  return fcm
}

// Google serves FCM over HTTP/2 and TLS; each device is one stream, answered on its own, on
// connections all sends share (at most 100 streams each, FCM's limit), not one per call.
// guarantee: fcm-http2-shared-connections
t.test('FCM over HTTP/2 and TLS: one stream per device on shared connections of at most 100 streams, trusting the CA given', async (t) => {
  const fcm = await startMock(t)
  const send = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), concurrency: 256 })
  // 250 devices in flight at once: each answer waits, so the streams pile up.
  const targets = Array.from({ length: 250 }, (_, i) => device(`many-${i}:APA91b`, i))
  for (const target of targets) fcm.script(target.token, { kind: 'slow', delayMs: 300 })
  const outcomes = await send.send(targets)
  t.equal(outcomes.filter((outcome) => outcome.kind === 'sent').length, 250)
  t.same(fcm.requestsByProtocol, { 'HTTP/1.1': 0, 'HTTP/2': 250 }, 'every send an HTTP/2 stream over TLS')
  t.equal(fcm.http2Connections.opened, 3, '250 streams at once: three connections of at most 100')

  const again = await send.send([1, 2, 3].map((n) => device(`again-${n}:APA91b`, n)))
  t.same(again.map((outcome) => outcome.kind), ['sent', 'sent', 'sent'])
  t.equal(fcm.http2Connections.opened, 3, 'later sends reuse the open connections')
})

t.test('FCM over TLS with an untrusted certificate: nothing is sent, the send is retryable', async (t) => {
  const fcm = await startMock(t)
  const [outcome] = await senderTo(t, fcm, { ca: null }).send([device('untrusted:APA91b', 1)])
  t.match(outcome, { kind: 'retry', reason: 'app/network-error' })
  t.equal(fcm.counters.requests, 0, 'no request over a connection with an untrusted certificate')
})

t.test("a 429's Retry-After over HTTP/2 reaches the outcome", async (t) => {
  const fcm = await startMock(t)
  fcm.script('throttled:APA91b', { kind: 'rate-limited', retryAfterSeconds: 7 })
  const outcomes = await senderTo(t, fcm, { ca: Buffer.from(fcm.ca) }).send([device('throttled:APA91b', 1), device('fine:APA91b', 2)])
  t.match(outcomes[0], { kind: 'retry', reason: 'message-rate-exceeded', retryAfterMs: 7000 })
  t.same(outcomes[1], { kind: 'sent' })
})

// guarantee: fcm-session-ping
t.test('a connection gone silent is pinged after a request times out, and replaced', async (t) => {
  const fcm = await startMock(t)
  const send = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), requestTimeoutMs: 400 })
  t.same(await send.send([device('before:APA91b', 1)]), [{ kind: 'sent' }])
  t.equal(fcm.http2Connections.opened, 1)
  // A black hole behind a live TCP socket: no answer, no PING acknowledgement, no close.
  fcm.freezeHttp2Connections()
  const [lost] = await send.send([device('into-the-void:APA91b', 2)])
  t.match(lost, { kind: 'retry', reason: 'app/network-timeout' })
  // The PING sent on the timeout goes unanswered for FCM_TIMEOUT_MS: the connection is destroyed.
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.same(await send.send([device('after:APA91b', 3)]), [{ kind: 'sent' }], 'the next send goes over a new connection')
  t.equal(fcm.http2Connections.opened, 2)
})

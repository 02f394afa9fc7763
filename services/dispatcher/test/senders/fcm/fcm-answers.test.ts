import { startFcmMock, type FcmMock, type ScriptedAnswer } from '@beacon/testkit'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'
import type { PlatformSender, SendOutcome } from '../../../src/senders/sender.js'

const device = (token: string): DeviceTarget => ({ id: 1n, token, platform: 'FCM', environment: null })

async function startMock (t: Test): Promise<FcmMock> {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  return fcm
}

function senderTo (t: Test, fcm: FcmMock, requestTimeoutMs = 2_000): PlatformSender {
  const sender = createFcmSender({ url: new URL(fcm.endpoint), ca: Buffer.from(fcm.ca), requestTimeoutMs, concurrency: 4, tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true } })
  t.teardown(() => sender.close())
  return sender
}

const credentialsOf = (fcm: FcmMock, projectId: string, version: number): ApplicationCredentials => {
  const account = fcm.createServiceAccount({ projectId })
  return { id: 1, appId: '1', version, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
}

/** One alert to `token` through the sender with these credentials: its outcome. */
async function sendOne (sender: PlatformSender, credentials: ApplicationCredentials, token: string): Promise<SendOutcome> {
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  return (await preparation.prepared.send([device(token)]))[0]!
}

// What FCM answers, through firebase-admin's own error mapping, decides whether the dispatcher
// deletes the registration, retries (and when), or gives up: fcm-outcome.test.ts checks the
// mapping on hand-made errors, this checks it on firebase-admin's real ones.
t.test('FCM answers through firebase-admin: dead tokens are deleted, server trouble is retried, refusals are final', async (t) => {
  const fcm = await startMock(t)
  const sender = senderTo(t, fcm)
  const credentials = credentialsOf(fcm, 'answers', 1)
  const cases: Array<[string, ScriptedAnswer, { kind: string, reason: string, retryAfterMs?: number }]> = [
    ['404 UNREGISTERED', 'unregistered', { kind: 'invalid-token', reason: 'registration-token-not-registered' }],
    ['400 not a valid registration token', 'bad-token', { kind: 'invalid-token', reason: 'invalid-registration-token' }],
    ['500 INTERNAL', 'server-error', { kind: 'retry', reason: 'internal-error' }],
    ['503 UNAVAILABLE', 'unavailable', { kind: 'retry', reason: 'server-unavailable' }],
    ['429 with Retry-After: 7', { kind: 'rate-limited', retryAfterSeconds: 7 }, { kind: 'retry', reason: 'message-rate-exceeded', retryAfterMs: 7000 }],
    ['400 about the message', { kind: 'refused', status: 400, text: 'Invalid value at message.android.ttl' }, { kind: 'rejected', reason: 'invalid-argument' }]
  ]
  for (const [name, answer, expected] of cases) {
    const token = `${name.replace(/\W+/g, '-')}:APA91b`
    fcm.script(token, answer)
    const outcome = await sendOne(sender, credentials, token)
    t.match(outcome, expected, name)
    // No Retry-After: the dispatcher's own backoff decides.
    if (expected.retryAfterMs === undefined) t.notOk('retryAfterMs' in outcome, `${name}: no retryAfterMs`)
  }
})

// What firebase-admin maps to registration-token-not-registered is any JSON 404 NOT_FOUND; FCM's
// answer for a dead token carries an FcmError UNREGISTERED detail, a wrong path's does not. A
// project id with a slash sends the request to a path the mock (as Google) does not serve.
// guarantee: invalid-tokens-deleted
t.test('a 404 NOT_FOUND without FCM\'s UNREGISTERED detail keeps the device; with it the device is deleted', async (t) => {
  const fcm = await startMock(t)
  const sender = senderTo(t, fcm)
  const outcome = await sendOne(sender, credentialsOf(fcm, 'no/such-path', 1), 'valid:APA91b')
  t.match(outcome, { kind: 'rejected', reason: 'NotFound', detail: 'The requested URL was not found on this server.' })
  t.same(fcm.received('valid:APA91b'), [], 'no send reached the mock\'s send route: it answered 404 for the path')
  fcm.script('dead:APA91b', 'unregistered')
  t.match(await sendOne(sender, credentialsOf(fcm, 'answers', 2), 'dead:APA91b'), { kind: 'invalid-token', reason: 'registration-token-not-registered' })
})

t.test('new credentials (a new version) take effect: the next send goes to the new project with the new account', async (t) => {
  const fcm = await startMock(t)
  const sender = senderTo(t, fcm)
  t.same(await sendOne(sender, credentialsOf(fcm, 'before', 1), 'rotated:APA91b'), { kind: 'sent' })
  t.same(await sendOne(sender, credentialsOf(fcm, 'after', 2), 'rotated:APA91b'), { kind: 'sent' })
  t.same(fcm.received('rotated:APA91b').map((request) => request.projectId), ['before', 'after'])
})

t.test('a request left unanswered on a connection that still answers PINGs keeps the connection', async (t) => {
  const fcm = await startMock(t)
  const sender = senderTo(t, fcm, 300)
  const credentials = credentialsOf(fcm, 'hang', 1)
  t.same(await sendOne(sender, credentials, 'first:APA91b'), { kind: 'sent' })
  fcm.script('hanging:APA91b', 'hang')
  t.match(await sendOne(sender, credentials, 'hanging:APA91b'), { kind: 'retry', reason: 'app/network-timeout' })
  t.equal(fcm.counters.hung, 1, 'the mock took the request and never answered it')
  // The timeout had the connection pinged; its answer makes it usable again. (Until then it takes
  // no new streams: wait for the PING's round trip on this idle loopback connection.)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(await sendOne(sender, credentials, 'after:APA91b'), { kind: 'sent' })
  t.equal(fcm.http2Connections.opened, 1, 'the healthy connection was not replaced')
})

import { startFcmMock, type FcmMock } from '@beacon/testkit'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'

let applicationIds = 0

/** The dispatcher's FCM sender pointed at the mock's HTTP/2 endpoint, and one prepared message. */
async function senderTo (t: Test, fcm: FcmMock) {
  const account = fcm.createServiceAccount({ projectId: 'h2' })
  const sender = createFcmSender({
    url: new URL(fcm.endpoint),
    ca: Buffer.from(fcm.ca),
    requestTimeoutMs: 5000,
    concurrency: 16,
    tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true }
  })
  t.teardown(() => sender.close())
  const credentials: ApplicationCredentials = { id: ++applicationIds, appId: 'h2', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  return preparation.prepared
}

const device = (token: string, id = 1): DeviceTarget => ({ id: BigInt(id), token, platform: 'FCM', environment: null })

t.test('sends reach FCM over HTTP/2 (firebase-admin sendEach, as in production), none over HTTP/1.1', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const prepared = await senderTo(t, fcm)
  const tokens = Array.from({ length: 20 }, (_, i) => `device-${i}:APA91b`)
  const outcomes = await prepared.send(tokens.map((token, i) => device(token, i)))
  t.same(outcomes.map((outcome) => outcome.kind), tokens.map(() => 'sent'))
  t.same(fcm.requestsByProtocol, { 'HTTP/1.1': 0, 'HTTP/2': 20 })
  t.ok(fcm.log.every((entry) => entry.protocol === 'HTTP/2' && entry.status === 200))
  t.match(fcm.received(tokens[0]!)[0], { message: { token: tokens[0], android: { priority: 'high', notification: { title: 'hello' } } } })
})

t.test('one batch, each device its own outcome; the Retry-After of a 429 is recovered on HTTP/2', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const prepared = await senderTo(t, fcm)
  const scripted = {
    'ok:APA91b': 'success',
    'gone:APA91b': 'unregistered',
    'bad:APA91b': 'bad-token',
    'busy:APA91b': 'unavailable',
    'throttled:APA91b': { kind: 'rate-limited', retryAfterSeconds: 7 },
    'throttled-bare:APA91b': { kind: 'rate-limited' },
    'dropped:APA91b': 'drop'
  } as const
  for (const [token, answer] of Object.entries(scripted)) fcm.script(token, answer)
  // Separate send calls within one turn, as the dispatcher hands devices over: one sendEach.
  const outcomes = await Promise.all(Object.keys(scripted).map((token, i) => prepared.send([device(token, i)]).then(([outcome]) => outcome)))
  t.match(outcomes, [
    { kind: 'sent' },
    { kind: 'invalid-token', reason: 'registration-token-not-registered' },
    { kind: 'invalid-token', reason: 'invalid-registration-token' },
    { kind: 'retry', reason: 'server-unavailable' },
    { kind: 'retry', reason: 'message-rate-exceeded', retryAfterMs: 7000 },
    { kind: 'retry', reason: 'message-rate-exceeded' },
    { kind: 'retry', reason: 'app/network-error' }
  ])
  t.notOk('retryAfterMs' in outcomes[5]!, 'no Retry-After, none reported')
  t.equal(fcm.requestsByProtocol['HTTP/2'], 7)
  t.equal(fcm.counters.dropped, 1)
})

t.test('an FCM_ENDPOINT nothing listens on: every device of the batch is retried as a connection failure', async (t) => {
  const fcm = await startFcmMock()
  const prepared = await senderTo(t, fcm)
  // A first send gets the access token (firebase-admin keeps it): after that only FCM is asked.
  t.match(await prepared.send([device('first:APA91b')]), [{ kind: 'sent' }])
  await fcm.close()
  const outcomes = await prepared.send([device('a:APA91b', 1), device('b:APA91b', 2)])
  t.match(outcomes, [{ kind: 'retry', detail: /ECONNREFUSED/ }, { kind: 'retry', detail: /ECONNREFUSED/ }])
})

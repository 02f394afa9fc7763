import { startFcmMock, type ScriptedAnswer } from '@beacon/testkit'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getMessaging, type Messaging } from 'firebase-admin/messaging'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'
import { FcmSessions } from '../../../src/senders/fcm/fcm-sessions.js'
import { sendOverSessions } from '../../../src/senders/fcm/firebase-http2-transport.js'
import { boundFirebaseRequests, FirebaseInternalsChanged } from '../../../src/senders/fcm/firebase-request-bounds.js'
import { ErrorAnswersByToken } from '../../../src/senders/fcm/error-answers.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

let applicationIds = 0

/** One FCM send to the mock, the device answering `answer`; with what the mock saw of it. */
async function sendScripted (t: Test, answer: ScriptedAnswer, requestTimeoutMs = 2000) {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const account = fcm.createServiceAccount({ projectId: 'bounds' })
  const sender = createFcmSender({
    url: new URL(fcm.endpoint),
    ca: Buffer.from(fcm.ca),
    requestTimeoutMs,
    concurrency: 4,
    tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true }
  })
  t.teardown(() => sender.close())
  const credentials: ApplicationCredentials = {
    id: ++applicationIds,
    appId: '1',
    version: 1,
    apns: null,
    fcm: { projectId: account.project_id, serviceAccount: account }
  }
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  const token = `device-${applicationIds}`
  fcm.script(token, answer)
  const [outcome] = await preparation.prepared.send([{ id: 1n, token, platform: 'FCM', environment: null }])
  return { outcome: outcome as SendOutcome, requests: fcm.received(token).length, fcm }
}

t.test('a 503 reaches FCM once per attempt: firebase-admin does not retry it', async (t) => {
  const { outcome, requests } = await sendScripted(t, 'unavailable')
  t.match(outcome, { kind: 'retry', reason: 'server-unavailable' })
  t.equal(requests, 1, 'firebase-admin alone would have made 5 requests')
})

t.test('a connection reset reaches FCM once per attempt', async (t) => {
  const { outcome, requests, fcm } = await sendScripted(t, 'drop')
  t.match(outcome, { kind: 'retry' })
  t.equal(requests, 1)
  t.equal(fcm.counters.dropped, 1)
})

t.test('an FCM that never answers: the send fails after FCM_TIMEOUT_MS as retryable, after one request', async (t) => {
  // firebase-admin's own 15 s timeout times 5 requests would outlast this test's time limit.
  const { outcome, requests, fcm } = await sendScripted(t, 'hang', 300)
  t.match(outcome, { kind: 'retry', reason: 'app/network-timeout' })
  t.match((outcome as { detail?: string }).detail, /timeout of 300ms exceeded/, 'the timeout that ended it is FCM_TIMEOUT_MS')
  t.equal(requests, 1)
  t.equal(fcm.counters.hung, 1)
})

t.test("firebase-admin's request clients are where firebase-request-bounds.ts reaches them", async (t) => {
  const app = initializeApp({ projectId: 'internals' }, 'firebase-request-bounds-test')
  t.teardown(() => deleteApp(app))
  const messaging = getMessaging(app)
  const handler = (messaging as unknown as { messagingRequestHandler: Record<string, { retry: { maxRetries: number } }> }).messagingRequestHandler
  t.ok(handler.httpClient!.retry.maxRetries > 0, 'firebase-admin retries by default (else this workaround can go)')
  boundFirebaseRequests(messaging, 1234)
  t.equal(handler.httpClient!.retry.maxRetries, 0)
  t.equal(handler.http2Client!.retry.maxRetries, 0)

  t.throws(() => boundFirebaseRequests({} as Messaging, 1234), FirebaseInternalsChanged, 'a Messaging without them is refused loudly')
})

t.test("firebase-admin's request clients are where firebase-http2-transport.ts reaches them", async (t) => {
  t.throws(() => sendOverSessions({} as Messaging, new FcmSessions({ origin: new URL('https://localhost'), ca: null, pingTimeoutMs: 1000 }), new ErrorAnswersByToken()), FirebaseInternalsChanged, 'a Messaging without them is refused loudly')
})

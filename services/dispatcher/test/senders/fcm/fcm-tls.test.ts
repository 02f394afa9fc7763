import { startFcmMock } from '@beacon/testkit'
import t from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'

const device = (token: string, id: number): DeviceTarget => ({ id: BigInt(id), token, platform: 'FCM', environment: null })

// Google serves FCM over TLS only: the dispatcher's one HTTP/1.1 request per device goes over TLS
// to FCM_ENDPOINT, trusting FCM_CA_FILE when it is set (the mock's self-signed certificate here).
t.test('FCM over TLS, one HTTP/1.1 request per device, trusting the CA given', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const account = fcm.createServiceAccount({ projectId: 'over-tls' })
  // Each sender its own application id: firebase-admin's apps are named by it, process-wide.
  const senderWith = (ca: Buffer | null, id: number) => {
    const credentials: ApplicationCredentials = { id, appId: 'over-tls', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
    const sender = createFcmSender({ url: new URL(fcm.http1Endpoint), ca, requestTimeoutMs: 5_000, concurrency: 4, tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true } })
    t.teardown(() => sender.close())
    const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
    if (!prepared.ok) throw new Error(prepared.reason)
    return prepared.prepared
  }

  const outcomes = await senderWith(Buffer.from(fcm.ca), 1).send([1, 2, 3].map((n) => device(`tls-${n}:APA91b`, n)))
  t.same(outcomes.map((outcome) => outcome.kind), ['sent', 'sent', 'sent'])
  t.same(fcm.requestsByProtocol, { 'HTTP/1.1': 0, 'HTTPS/1.1': 3, 'HTTP/2': 0 }, 'every send over TLS, none in clear')

  // Without the CA the mock's certificate is not trusted: nothing reaches it.
  const untrusted = await senderWith(null, 2).send([device('tls-4:APA91b', 4)])
  t.not(untrusted[0]?.kind, 'sent')
  t.equal(fcm.requestsByProtocol['HTTPS/1.1'], 3, 'no request over a connection with an untrusted certificate')
})

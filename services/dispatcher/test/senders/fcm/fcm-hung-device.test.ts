import { startFcmMock } from '@beacon/testkit'
import t from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries } from '../../../src/delivery/sends/send-with-retries.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'

const device = (token: string, id: number): DeviceTarget => ({ id: BigInt(id), token, platform: 'FCM', environment: null })

// Each FCM device is its own request, answered on its own: a device the provider never answers
// holds only its own slot and claim. (firebase-admin's sendEach answers a whole call when its last
// request ends: at a stop, the devices of a hung one's call would all count as unanswered and be
// sent again by the next holder. The dispatcher does not use it for that reason.)
t.test('a stop while one FCM device hangs: the devices FCM answered have their outcomes, only the hung one is in flight', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const account = fcm.createServiceAccount({ projectId: 'hung-device' })
  const sender = createFcmSender({ url: new URL(fcm.endpoint), ca: Buffer.from(fcm.ca), requestTimeoutMs: 30_000, concurrency: 16, tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true } })
  t.teardown(() => sender.close())
  const credentials: ApplicationCredentials = { id: 1, appId: 'hung-device', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!prepared.ok) throw new Error(prepared.reason)
  await prepared.prepared.send([device('warm:APA91b', 0)]) // the access token, fetched beforehand
  fcm.reset()
  fcm.script('hung:APA91b', 'hang')
  const targets = ['hung:APA91b', ...Array.from({ length: 9 }, (_, i) => `ok-${i}:APA91b`)].map((token, i) => device(token, i + 1))

  const stop = new AbortController()
  let giveUp!: () => void
  const deadline = new Promise<void>((resolve) => { giveUp = resolve })
  // The stop comes once FCM has answered the nine, the deadline a second later: the hung request is
  // still on the wire then.
  const watch = setInterval(() => {
    if (fcm.log.filter((entry) => entry.status === 200).length < 9) return
    clearInterval(watch)
    stop.abort()
    setTimeout(giveUp, 1000)
  }, 20)
  t.teardown(() => clearInterval(watch))
  const report = await sendWithRetries(prepared.prepared, targets, {
    policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, retryAfterMaxMs: 1000 },
    validUntil: null,
    slots: new SendSlots(16),
    claim: async (window) => window,
    heartbeat: () => {},
    signal: stop.signal,
    giveUp: deadline
  })
  t.equal(report.outcomes.size, 9, 'the nine answered devices have their outcome')
  t.ok([...report.outcomes.values()].every((outcome) => outcome.kind === 'sent'), 'sent')
  t.same(report.inFlight.map((target) => target.token), ['hung:APA91b'], 'only the hung device is unanswered (its claim stays; the next holder sends it again)')
})

import apn from '@parse/node-apn'
import { startApnsMock, type ApnsMock, type ApnsTestKey, type ScriptedAnswer } from '@beacon/testkit'
import t, { type Test } from 'tap'
import type { ApnsCredentials, ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createApnsSender } from '../../../src/senders/apns/apns-sender.js'
import type { PlatformSender, SendOutcome } from '../../../src/senders/sender.js'

const BUNDLE = 'com.example.answers'
let tokens = 0
const token = () => (++tokens).toString(16).padStart(64, 'b')
const device = (environment: DeviceTarget['environment'] = null, value = token()): DeviceTarget => ({ id: 1n, token: value, platform: 'APNS', environment })

async function startMock (t: Test): Promise<ApnsMock> {
  const mock = await startApnsMock()
  t.teardown(() => mock.close())
  return mock
}

function senderTo (t: Test, mock: ApnsMock): PlatformSender {
  const sender = createApnsSender({ url: new URL(`https://127.0.0.1:${mock.port}`), ca: Buffer.from(mock.ca), maxStreams: 10, requestTimeoutMs: 2_000 })
  t.teardown(() => sender.close())
  return sender
}

const credentialsOf = (key: ApnsTestKey, version: number, apns: Partial<ApnsCredentials> = {}): ApplicationCredentials => ({
  id: 1, appId: '1', version, fcm: null, apns: { bundle: BUNDLE, keyId: key.keyId, teamId: key.teamId, production: true, privateKeyPem: key.privateKeyPem, ...apns }
})

/** One alert to `target` through the sender with these credentials: its outcome. */
async function sendOne (sender: PlatformSender, credentials: ApplicationCredentials, target: DeviceTarget): Promise<SendOutcome> {
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  return (await preparation.prepared.send([target]))[0]!
}

// What Apple answers, through node-apn and retry-after.ts, decides whether the dispatcher deletes
// the registration, retries (and when), or gives up: apns-outcome.test.ts checks the mapping on
// hand-made failures, this checks it on node-apn's real ones.
t.test('APNs answers through node-apn: dead tokens, retries with and without Retry-After, refusals', async (t) => {
  const mock = await startMock(t)
  const key = mock.createKey({ bundles: [BUNDLE] })
  const sender = senderTo(t, mock)
  const cases: Array<[string, ScriptedAnswer, SendOutcome]> = [
    ['unregistered', 'unregistered', { kind: 'invalid-token', reason: 'Unregistered' }],
    ['bad token', 'bad-token', { kind: 'invalid-token', reason: 'BadDeviceToken' }],
    // node-apn reports a 500 as an error of its own, without Apple's reason.
    ['500', 'server-error', { kind: 'retry', reason: 'HTTP 500', detail: 'Error 500, stream ended unexpectedly' }],
    // No Retry-After: the dispatcher's own backoff decides (no retryAfterMs, not NaN).
    ['503', 'unavailable', { kind: 'retry', reason: 'ServiceUnavailable' }],
    ['429 without Retry-After', { kind: 'rate-limited' }, { kind: 'retry', reason: 'TooManyRequests' }],
    ['429 with Retry-After: 7', { kind: 'rate-limited', retryAfterSeconds: 7 }, { kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 7000 }],
    // "Retry now" is Apple's answer too: it must not fall back to the backoff.
    ['429 with Retry-After: 0', { kind: 'rate-limited', retryAfterSeconds: 0 }, { kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 0 }],
    ['400 BadPriority', { kind: 'refused', status: 400, text: 'BadPriority' }, { kind: 'rejected', reason: 'BadPriority' }]
  ]
  for (const [name, answer, expected] of cases) {
    const target = device()
    mock.script(target.token, answer)
    t.same(await sendOne(sender, credentialsOf(key, 1), target), expected, name)
    // Retries are the dispatcher's, with its backoff: node-apn's own would resend a 429, 500 or
    // 503 at once, ignoring Retry-After.
    t.equal(mock.received(target.token).length, 1, `${name}: one request per attempt`)
  }
  // A device of another application's bundle: its token is not for this topic, and is deleted.
  const foreign = device()
  mock.registerDevice(foreign.token, 'com.example.someone-else')
  t.same(await sendOne(sender, credentialsOf(key, 1), foreign), { kind: 'invalid-token', reason: 'DeviceTokenNotForTopic' })
})

t.test('new credentials (a new version) replace the provider: the next send is signed with the new key, the old connection is closed', async (t) => {
  const mock = await startMock(t)
  const first = mock.createKey({ bundles: [BUNDLE] })
  const second = mock.createKey({ bundles: [BUNDLE] })
  const sender = senderTo(t, mock)
  const target = device()
  t.same(await sendOne(sender, credentialsOf(first, 1), target), { kind: 'sent' })
  t.same(await sendOne(sender, credentialsOf(second, 2), target), { kind: 'sent' })
  t.same(mock.received(target.token).map((request) => request.auth?.keyId), [first.keyId, second.keyId])
  // The old provider's connection is shut, not left open beside the new one.
  for (let i = 0; i < 50 && mock.openConnections > 1; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(mock.openConnections, 1)
})

t.test('each device goes over the connection of its own environment; devices without one use the application\'s', async (t) => {
  const mock = await startMock(t)
  const key = mock.createKey({ bundles: [BUNDLE] })
  // The mock serves both environments alike: which provider (production or sandbox) sent each
  // token is seen on node-apn's Provider itself. A sandbox token sent to production is refused
  // by Apple as BadDeviceToken, and the registration deleted.
  const sentBy: Array<[boolean, string]> = []
  const Original = apn.Provider
  class Recording extends Original {
    readonly production: boolean
    constructor (options: apn.ProviderOptions) {
      super(options)
      this.production = options.production === true
    }

    override send (notification: apn.Notification, recipients: string | string[]) {
      sentBy.push([this.production, String(recipients)])
      return super.send(notification, recipients)
    }
  }
  apn.Provider = Recording
  t.teardown(() => { apn.Provider = Original })
  const sender = senderTo(t, mock)
  const [production, sandbox, unsaid] = [device('PRODUCTION'), device('SANDBOX'), device(null)]
  for (const target of [production, sandbox, unsaid]) {
    t.same(await sendOne(sender, credentialsOf(key, 1, { production: false }), target), { kind: 'sent' })
  }
  t.same(sentBy, [[true, production.token], [false, sandbox.token], [false, unsaid.token]], 'an application in SANDBOX')
  sentBy.length = 0
  t.same(await sendOne(sender, credentialsOf(key, 1, { production: true }), unsaid), { kind: 'sent' })
  t.same(sentBy, [[true, unsaid.token]], 'an application in PRODUCTION')

  // Several devices in one call: each environment's group over its own connection, every device answered.
  sentBy.length = 0
  const preparation = sender.prepare(credentialsOf(key, 1, { production: false }), { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  t.same(await preparation.prepared.send([sandbox, production, unsaid]), [{ kind: 'sent' }, { kind: 'sent' }, { kind: 'sent' }])
  t.same(sentBy.sort(), [[false, sandbox.token], [false, unsaid.token], [true, production.token]].sort())
})

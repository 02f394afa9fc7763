import { connect, type ClientHttp2Session } from 'node:http2'
import t, { type Test } from 'tap'
import type { FcmMock } from '../../src/fcm/mock.js'
import { accessToken, fcmMock, fcmToken, projectId, sendPath } from '../helpers/fcm.js'

/** An HTTP/2 session to the mock's TLS endpoint, trusting its certificate as FCM_CA_FILE would. */
function session (t: Test, mock: FcmMock): ClientHttp2Session {
  const client = connect(mock.endpoint, { ca: mock.ca })
  client.on('error', () => {})
  t.teardown(() => { client.close() })
  return client
}

/** One `messages:send` on the session: status, headers and body, or the stream's error code. */
function post (client: ClientHttp2Session, authorization: string, token: string) {
  return new Promise<{ status: number, headers: Record<string, unknown>, body: any } | { error: string }>((resolve) => {
    const stream = client.request({ ':method': 'POST', ':path': sendPath(), 'content-type': 'application/json', authorization })
    let text = ''
    let headers: Record<string, unknown> = {}
    stream.on('response', (received) => { headers = received })
    stream.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: JSON.parse(text) }))
    stream.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    stream.end(JSON.stringify({ message: { token, data: { a: 'b' } } }))
  })
}

t.test('the send endpoint speaks HTTP/2 over TLS (ALPN h2) and answers as over HTTP/1.1; requests are counted by protocol', async (t) => {
  const { mock, account } = await fcmMock(t)
  const client = session(t, mock)
  const authorization = await accessToken(account)
  const [ok, throttled] = [fcmToken(), fcmToken()]
  mock.script(throttled, { kind: 'rate-limited', retryAfterSeconds: 9 })

  t.match(await post(client, authorization, ok), { status: 200, body: { name: new RegExp(`^projects/${projectId}/messages/`) } })
  t.equal(client.alpnProtocol, 'h2')
  t.match(await post(client, authorization, throttled), { status: 429, headers: { 'retry-after': '9' }, body: { error: { status: 'RESOURCE_EXHAUSTED' } } })
  t.match(await post(client, 'Bearer nope', ok), { status: 401 })
  t.same(mock.requestsByProtocol, { 'HTTP/1.1': 0, 'HTTP/2': 3 })
  t.match(mock.received(ok), [{ protocol: 'HTTP/2', status: 200, account: account.client_email }, { protocol: 'HTTP/2', status: 401 }])
  t.notOk(Object.keys(mock.received(ok)[0]!.headers).some((name) => name.startsWith(':')), 'pseudo-headers are not logged as headers')
  t.same(mock.counters.byStatus, { 200: 1, 429: 1, 401: 1 })
})

t.test('a dropped request resets its own stream; the other requests on the connection are answered', async (t) => {
  const { mock, account } = await fcmMock(t)
  const client = session(t, mock)
  const authorization = await accessToken(account)
  const [dropped, kept] = [fcmToken(), fcmToken()]
  mock.script(dropped, 'drop')
  const [first, second] = await Promise.all([post(client, authorization, dropped), post(client, authorization, kept)])
  t.same(first, { error: 'ERR_HTTP2_STREAM_ERROR' })
  t.match(second, { status: 200 })
  t.equal(mock.counters.dropped, 1)
  t.notOk(client.destroyed, 'the session stays up')
})

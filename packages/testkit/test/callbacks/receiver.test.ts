import { request } from 'node:http'
import t from 'tap'
import { startCallbackReceiver } from '../../src/callbacks/receiver.js'
import { bodyMd5, signAsDeveloper } from '../../src/signing/developer-signing.js'
import { CALLBACK, vectorHeaders, vectorTime } from '../../src/signing/vectors.js'

const key = 'dev-key'
const secret = 'dev-secret-0123456789'

function post (url: string, body: string, options: { secret?: string, nonce?: string, uri?: string } = {}) {
  const target = new URL(url)
  const headers = signAsDeveloper({
    method: 'POST',
    uri: options.uri ?? target.pathname + target.search,
    body,
    contentType: 'application/json',
    key,
    secret: options.secret ?? secret,
    ...(options.nonce === undefined ? {} : { nonce: options.nonce })
  })
  return fetch(url, { method: 'POST', headers: { ...headers }, body })
}

t.test('verifies signed requests, refuses a wrong secret, a wrong URI and a replayed nonce', async (t) => {
  const receiver = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => receiver.close())
  const url = receiver.url('/hooks/beacon?tenant=a%20b')
  const body = '{"event":"push.sent"}'

  t.equal(receiver.connections(), 0, 'no connection yet')
  t.equal((await post(url, body)).status, 200)
  t.ok(receiver.connections() >= 1, 'connections are counted')
  t.equal((await post(url, body, { secret: 'another-secret' })).status, 401)
  t.equal((await post(url, body, { uri: '/hooks/beacon' })).status, 401, 'the query is part of what is signed')
  t.equal((await post(url, body, { nonce: 'same-nonce' })).status, 200)
  t.equal((await post(url, body, { nonce: 'same-nonce' })).status, 401, 'a nonce is accepted once')

  const received = receiver.received()
  t.same(received.map((r) => [r.verified, r.reason]), [
    [true, undefined],
    [false, 'SIGNATURE_MISMATCH'],
    [false, 'SIGNATURE_MISMATCH'],
    [true, undefined],
    [false, 'REPLAYED_NONCE']
  ])
  t.equal(received[0]?.url, '/hooks/beacon?tenant=a%20b')
  t.equal(received[0]?.body, body)
  t.equal(received[0]?.headers['content-type'], 'application/json')
})

t.test('a lookup function, scripted failures and until', async (t) => {
  const receiver = await startCallbackReceiver({ developers: (k) => (k === key ? secret : undefined) })
  t.teardown(() => receiver.close())
  receiver.failNext(2, 503)
  receiver.failNext(1, 'reset')
  const url = receiver.url('/cb')
  t.equal((await post(url, '{}')).status, 503)
  t.equal((await post(url, '{}')).status, 503)
  await t.rejects(post(url, '{}'), 'the connection is reset')
  t.equal((await post(url, '{}')).status, 200, 'back to normal')
  const all = await receiver.until((r) => r.length === 4)
  t.same(all.map((r) => r.status), [503, 503, 0, 200])
  t.ok(all.every((r) => r.verified), 'failures are scripted, not verification errors')
  await t.rejects(receiver.until((r) => r.length === 5, 100), /timed out/)
})

t.test('an unknown key does not verify', async (t) => {
  const receiver = await startCallbackReceiver({ developers: new Map() })
  t.teardown(() => receiver.close())
  t.equal((await post(receiver.url('/x'), '{}')).status, 401)
  t.equal(receiver.received()[0]?.reason, 'KEY_UNKNOWN')
})

/** Sends the request as given: node:http adds no header of its own that is signed. */
function rawPost (url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method, headers }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

// guarantee: callback-signature
t.test('the README callback, signed by openssl, is accepted; each of its six signed lines changed is refused', async (t) => {
  const receiver = await startCallbackReceiver({ developers: new Map([[CALLBACK.key, CALLBACK.secret]]), now: () => vectorTime(CALLBACK) })
  t.teardown(() => receiver.close())
  const headers = vectorHeaders(CALLBACK)
  const body = CALLBACK.body ?? ''
  const otherBody = body.replace('Unregistered', 'NoDevices')
  const nonceOf = (nonce: string) => headers.authorization?.replace(`nonce="${CALLBACK.nonce}"`, `nonce="${nonce}"`) ?? ''
  t.equal(await rawPost(receiver.url(CALLBACK.uri), 'POST', headers, body), 200, 'the literal callback')
  const changed: Array<[string, string, string, Record<string, string>, string]> = [
    ['method', 'PUT', CALLBACK.uri, headers, body],
    ['path and query', 'POST', '/hooks/beacon?tenant=43', headers, body],
    ['body MD5', 'POST', CALLBACK.uri, { ...headers, 'content-md5': bodyMd5(otherBody) }, otherBody],
    ['content type', 'POST', CALLBACK.uri, { ...headers, 'content-type': 'application/json; charset=utf-8' }, body],
    ['date', 'POST', CALLBACK.uri, { ...headers, 'x-m-date': 'Mon, 30 Nov 2026 12:00:04 GMT' }, body],
    ['nonce', 'POST', CALLBACK.uri, { ...headers, authorization: nonceOf('another-nonce') }, body]
  ]
  for (const [line, method, uri, sentHeaders, sentBody] of changed) {
    t.equal(await rawPost(receiver.url(uri), method, sentHeaders, sentBody), 401, line)
  }
  t.strictSame(receiver.received().map((r) => [r.verified, r.reason]),
    [[true, undefined], ...changed.map(() => [false, 'SIGNATURE_MISMATCH'])], 'refused for the signature, nothing else')
})

import t from 'tap'
import { parseAuthorization, signRequest, verifyRequest, type SignedHeaders } from '../src/index.js'
import { KEY, SECRET, lookup } from './fixtures.js'

const lowerCased = (headers: SignedHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

// What signRequest signs is checked against openssl's values in vectors.test.ts.

t.test('a request without a body gets neither Content-MD5 nor Content-Type', async (t) => {
  const headers = signRequest({ method: 'GET', uri: '/api/1.0/status', key: KEY, secret: SECRET })
  t.same(Object.keys(headers).sort(), ['Authorization', 'X-M-Date'])
})

t.test('date and nonce default to now and a fresh random nonce', async (t) => {
  const before = Math.floor(Date.now() / 1000) * 1000
  const first = signRequest({ method: 'GET', uri: '/', key: KEY, secret: SECRET })
  const second = signRequest({ method: 'GET', uri: '/', key: KEY, secret: SECRET })
  const sent = new Date(first['X-M-Date']).getTime()
  t.ok(sent >= before && sent <= Date.now(), 'X-M-Date is the current time')
  t.not(parseAuthorization(first.Authorization).nonce, parseAuthorization(second.Authorization).nonce)
})

t.test('round trip: what signRequest signs, verifyRequest accepts', async (t) => {
  const cases = [
    { method: 'POST', uri: '/api/1.0/push/alice@acme', body: '{"message":"Grüße"}', contentType: 'application/json' },
    { method: 'PUT', uri: '/a%20b/c?x=1&x=2&y=%C3%BC', body: Buffer.from([0, 1, 2, 255]), contentType: 'application/octet-stream' },
    { method: 'DELETE', uri: '/api/1.0/push?id=7' },
    { method: 'POST', uri: '/raw', body: 'text without a type' }
  ]
  for (const request of cases) {
    const signed = signRequest({ ...request, key: KEY, secret: SECRET })
    const verified = await verifyRequest({ ...request, headers: lowerCased(signed), rawBody: request.body }, lookup)
    t.equal(verified.key, KEY, `${request.method} ${request.uri}`)
    t.equal(verified.nonce, parseAuthorization(signed.Authorization).nonce)
  }
})

import t from 'tap'
import { checkDeveloperCallback } from '../../src/callbacks/verification.js'
import { developerSignature, signAsDeveloper } from '../../src/signing/developer-signing.js'
import { CALLBACK, SIGNING_VECTORS, vectorHeaders, vectorTime } from '../../src/signing/vectors.js'

const lowerCased = (headers: object) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

// The test kit's signer stands in for a developer's client in api and end-to-end tests: it must
// agree with openssl's values, not with @beacon/signing.
t.test('signAsDeveloper gives the openssl vectors exactly', async (t) => {
  for (const vector of SIGNING_VECTORS) {
    const headers = signAsDeveloper({
      method: vector.method,
      uri: vector.uri,
      key: vector.key,
      secret: vector.secret,
      date: vectorTime(vector),
      nonce: vector.nonce,
      ...(vector.body === undefined ? {} : { body: vector.body }),
      ...(vector.contentType === undefined ? {} : { contentType: vector.contentType })
    })
    t.strictSame(lowerCased(headers), vectorHeaders(vector), vector.name)
    t.equal(developerSignature(Buffer.from(vector.secret), { ...vector, contentType: vector.contentType ?? '' }), vector.signature,
      `${vector.name}: a Buffer secret is its UTF-8 bytes`)
  }
})

t.test('signAsDeveloper defaults: the current second and a fresh nonce each time', async (t) => {
  const before = Math.floor(Date.now() / 1000) * 1000
  const first = signAsDeveloper({ method: 'GET', uri: '/', key: 'k', secret: 's' })
  const second = signAsDeveloper({ method: 'GET', uri: '/', key: 'k', secret: 's' })
  const sent = Date.parse(first['X-M-Date'])
  t.ok(sent >= before && sent <= Date.now(), 'X-M-Date is now')
  t.not(/nonce="([^"]+)"/.exec(first.Authorization)?.[1], /nonce="([^"]+)"/.exec(second.Authorization)?.[1])
})

t.test('checkDeveloperCallback accepts every vector as received, at its own time', async (t) => {
  for (const vector of SIGNING_VECTORS) {
    const request = { method: vector.method, uri: vector.uri, headers: vectorHeaders(vector), rawBody: vector.body }
    t.strictSame(checkDeveloperCallback(request, (key) => (key === vector.key ? vector.secret : undefined), { now: vectorTime(vector) }),
      { verified: true, key: vector.key, nonce: vector.nonce }, vector.name)
  }
})

t.test('checkDeveloperCallback: the window, the key and the Content-MD5 header', async (t) => {
  const request = { method: CALLBACK.method, uri: CALLBACK.uri, headers: vectorHeaders(CALLBACK), rawBody: CALLBACK.body }
  const secretOf = (key: string) => (key === CALLBACK.key ? CALLBACK.secret : undefined)
  const at = (offsetMs: number) => ({ now: new Date(vectorTime(CALLBACK).getTime() + offsetMs), windowSeconds: 300 })
  t.equal(checkDeveloperCallback(request, secretOf, at(300_000)).verified, true, '300 s late')
  t.equal(checkDeveloperCallback(request, secretOf, at(-300_000)).verified, true, '300 s early')
  t.strictSame(checkDeveloperCallback(request, secretOf, at(300_001)), { verified: false, reason: 'DATE_OUT_OF_WINDOW' })
  t.strictSame(checkDeveloperCallback(request, secretOf, at(-300_001)), { verified: false, reason: 'DATE_OUT_OF_WINDOW' })
  t.strictSame(checkDeveloperCallback(request, () => undefined, at(0)), { verified: false, reason: 'KEY_UNKNOWN' })
  t.strictSame(checkDeveloperCallback(request, () => 'another-secret', at(0)), { verified: false, reason: 'SIGNATURE_MISMATCH' })
  t.strictSame(checkDeveloperCallback({ ...request, rawBody: `${CALLBACK.body ?? ''} ` }, secretOf, at(0)),
    { verified: false, reason: 'CONTENT_MD5_MISMATCH' })
  t.strictSame(checkDeveloperCallback({ ...request, headers: { ...request.headers, authorization: 'Basic eDp5' } }, secretOf, at(0)),
    { verified: false, reason: 'AUTHORIZATION_MALFORMED' })
  t.strictSame(checkDeveloperCallback({ ...request, headers: { ...request.headers, 'x-m-date': '2026-11-30T12:00:03Z' } }, secretOf, at(0)),
    { verified: false, reason: 'DATE_MALFORMED' })
})

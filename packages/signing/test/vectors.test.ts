import { createHash } from 'node:crypto'
import t from 'tap'
// The vectors were computed with openssl (the commands are next to each value), not with this
// package: a layout bug shared by signRequest and verifyRequest cannot agree with them.
import {
  CALLBACK, NON_ASCII, SIGNING_VECTORS, WITH_BODY, WITH_QUERY, WITHOUT_BODY, vectorHeaders, vectorTime, type SigningVector
} from '../../testkit/src/signing/vectors.js'
import { SigningErrorCode, sign, signRequest, verifyRequest, type IncomingSignedRequest } from '../src/index.js'

const lowerCased = (headers: object) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

function signed (vector: SigningVector) {
  return signRequest({
    method: vector.method,
    uri: vector.uri,
    key: vector.key,
    secret: vector.secret,
    date: vectorTime(vector),
    nonce: vector.nonce,
    ...(vector.body === undefined ? {} : { body: vector.body }),
    ...(vector.contentType === undefined ? {} : { contentType: vector.contentType })
  })
}

/** The vector as the server receives it: headers spelled out by hand, the body's bytes. */
const incoming = (vector: SigningVector): IncomingSignedRequest =>
  ({ method: vector.method, uri: vector.uri, headers: vectorHeaders(vector), rawBody: vector.body === undefined ? undefined : Buffer.from(vector.body) })

const lookupOf = (vector: SigningVector) => (key: string) => (key === vector.key ? vector.secret : undefined)

// guarantee: signature-layout
t.test('signRequest gives the openssl signatures: with a body, without one, with a query, non-ASCII', async (t) => {
  for (const vector of [WITH_BODY, WITHOUT_BODY, WITH_QUERY, NON_ASCII]) {
    t.strictSame(lowerCased(signed(vector)), vectorHeaders(vector), vector.name)
    const parts = { method: vector.method, uri: vector.uri, contentMd5: vector.contentMd5, contentType: vector.contentType ?? '', date: vector.date, nonce: vector.nonce }
    t.equal(sign(vector.secret, parts), vector.signature, `${vector.name}: sign()`)
  }
})

// guarantee: callback-signature
t.test('a callback signed with signRequest is the README callback as openssl signs it', async (t) => {
  t.strictSame(lowerCased(signed(CALLBACK)), vectorHeaders(CALLBACK))
  t.same(await verifyRequest(incoming(CALLBACK), lookupOf(CALLBACK), { now: vectorTime(CALLBACK) }),
    { key: CALLBACK.key, nonce: CALLBACK.nonce, date: vectorTime(CALLBACK) }, 'and verifyRequest accepts it as a developer would')
})

/** The vector with one of the six signed lines changed, the rest of the request still consistent. */
function changedLines (vector: SigningVector): Record<string, IncomingSignedRequest> {
  const request = incoming(vector)
  const otherBody = `${vector.body ?? ''}{"changed":true}`
  const otherType = vector.contentType === undefined ? 'text/plain' : `${vector.contentType}; x=1`
  return {
    method: { ...request, method: vector.method === 'GET' ? 'DELETE' : 'PUT' },
    'path and query': { ...request, uri: `${vector.uri.includes('?') ? `${vector.uri}&` : `${vector.uri}?`}x=1` },
    // The body and its Content-MD5 header agree; only the MD5 line differs from what was signed.
    'body MD5': { ...request, rawBody: Buffer.from(otherBody), headers: { ...request.headers, 'content-md5': createHash('md5').update(otherBody).digest('hex') } },
    'content type': { ...request, headers: { ...request.headers, 'content-type': otherType } },
    'X-M-Date (one second on, inside the window)': { ...request, headers: { ...request.headers, 'x-m-date': new Date(vectorTime(vector).getTime() + 1000).toUTCString() } },
    nonce: { ...request, headers: { ...request.headers, authorization: String(request.headers.authorization).replace(`nonce="${vector.nonce}"`, 'nonce="another-nonce"') } }
  }
}

// guarantee: signature-layout
t.test('verifyRequest accepts the literal headers of every vector and refuses each signed line changed', async (t) => {
  for (const vector of SIGNING_VECTORS) {
    const at = { now: vectorTime(vector) }
    t.same(await verifyRequest(incoming(vector), lookupOf(vector), at), { key: vector.key, nonce: vector.nonce, date: vectorTime(vector) },
      `${vector.name}: accepted`)
    for (const [line, request] of Object.entries(changedLines(vector))) {
      await t.rejects(verifyRequest(request, lookupOf(vector), at), { code: SigningErrorCode.SIGNATURE_MISMATCH }, `${vector.name}: ${line} changed`)
    }
  }
})

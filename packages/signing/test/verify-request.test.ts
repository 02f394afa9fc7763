import t from 'tap'
import { SigningErrorCode, httpDate, verifyRequest, type IncomingSignedRequest } from '../src/index.js'
import { KEY, SIGNED_AT, lookup, signedIncoming } from './fixtures.js'

const at = { now: SIGNED_AT, windowSeconds: 300 }
const withHeaders = (request: IncomingSignedRequest, headers: Record<string, string | string[] | undefined>) =>
  ({ ...request, headers: { ...request.headers, ...headers } })

t.test('a correctly signed request yields its key, nonce and date', async (t) => {
  t.same(await verifyRequest(signedIncoming(), lookup, at), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT })
  const bodiless = signedIncoming({ method: 'GET', uri: '/api/1.0/status', body: undefined, contentType: undefined })
  t.notOk('content-md5' in bodiless.headers)
  t.same(await verifyRequest(bodiless, lookup, at), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT })
})

t.test('tampering with any signed element breaks the signature', async (t) => {
  const good = signedIncoming()
  const otherDate = httpDate(new Date(SIGNED_AT.getTime() + 1000))
  const tampered: Record<string, IncomingSignedRequest> = {
    method: { ...good, method: 'PUT' },
    path: { ...good, uri: good.uri.replace('alice', 'mallory') },
    query: { ...good, uri: good.uri.replace('high', 'low') },
    'query removed': { ...good, uri: good.uri.split('?')[0] ?? '' },
    'percent-encoding of the path': { ...good, uri: good.uri.replace('@', '%40') },
    'body (no Content-MD5 header)': withHeaders({ ...good, rawBody: Buffer.from('{"message":"pwned"}') }, { 'content-md5': undefined }),
    'body removed (no Content-MD5 header)': withHeaders({ ...good, rawBody: undefined }, { 'content-md5': undefined }),
    'content type': withHeaders(good, { 'content-type': 'application/json; charset=utf-8' }),
    'content type removed': withHeaders(good, { 'content-type': undefined }),
    date: withHeaders(good, { 'x-m-date': otherDate }),
    nonce: withHeaders(good, { authorization: String(good.headers.authorization).replace('nonce-1', 'nonce-2') }),
    signature: withHeaders(good, { authorization: String(good.headers.authorization).replace(/signature="./, 'signature="0') })
  }
  for (const [what, request] of Object.entries(tampered)) {
    await t.rejects(verifyRequest(request, lookup, at), { name: 'SigningError', code: SigningErrorCode.SIGNATURE_MISMATCH }, what)
  }
})

t.test('the Content-MD5 header is optional, but must match the body when sent', async (t) => {
  const good = signedIncoming()
  const md5 = String(good.headers['content-md5'])
  t.ok(await verifyRequest(withHeaders(good, { 'content-md5': undefined }), lookup, at), 'absent: computed from the body')
  t.ok(await verifyRequest(withHeaders(good, { 'content-md5': md5.toUpperCase() }), lookup, at), 'hex case does not matter')
  await t.rejects(verifyRequest({ ...good, rawBody: Buffer.from('{"message":"pwned"}') }, lookup, at),
    { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'the body changed under the header')
  await t.rejects(verifyRequest(withHeaders(good, { 'content-md5': '0'.repeat(32) }), lookup, at), { code: SigningErrorCode.CONTENT_MD5_MISMATCH })
  const bodiless = signedIncoming({ method: 'GET', body: undefined, contentType: undefined })
  await t.rejects(verifyRequest(withHeaders(bodiless, { 'content-md5': md5 }), lookup, at),
    { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'an MD5 for a request without a body')
})

t.test('X-M-Date must be present, RFC 1123 and inside the window', async (t) => {
  const good = signedIncoming()
  await t.rejects(verifyRequest(withHeaders(good, { 'x-m-date': undefined }), lookup, at), { code: SigningErrorCode.DATE_MISSING })
  await t.rejects(verifyRequest(withHeaders(good, { 'x-m-date': SIGNED_AT.toISOString() }), lookup, at), { code: SigningErrorCode.DATE_INVALID })
  const shifted = (seconds: number) => ({ now: new Date(SIGNED_AT.getTime() + seconds * 1000), windowSeconds: 300 })
  t.ok(await verifyRequest(good, lookup, shifted(300)), 'exactly 300 s late passes')
  t.ok(await verifyRequest(good, lookup, shifted(-300)), 'exactly 300 s early passes')
  t.ok(await verifyRequest(good, lookup, shifted(300.999)), 'the clock counts whole seconds, like the header')
  await t.rejects(verifyRequest(good, lookup, shifted(301)), { code: SigningErrorCode.DATE_OUT_OF_WINDOW }, '301 s late fails')
  await t.rejects(verifyRequest(good, lookup, shifted(-301)), { code: SigningErrorCode.DATE_OUT_OF_WINDOW }, '301 s early fails')
  t.ok(await verifyRequest(good, lookup, { now: SIGNED_AT, windowSeconds: 0 }), 'a zero window accepts the same second')
})

t.test('an unknown key is refused; errors of the lookup pass through', async (t) => {
  await t.rejects(verifyRequest(signedIncoming(), async () => undefined, at), { code: SigningErrorCode.KEY_UNKNOWN })
  await t.rejects(verifyRequest(signedIncoming(), () => 'another-secret', at), { code: SigningErrorCode.SIGNATURE_MISMATCH })
  const outage = new Error('database down')
  await t.rejects(verifyRequest(signedIncoming(), async () => { throw outage }, at), outage)
})

t.test('a missing, malformed or repeated signing header is refused', async (t) => {
  const good = signedIncoming()
  await t.rejects(verifyRequest(withHeaders(good, { authorization: undefined }), lookup, at), { code: SigningErrorCode.AUTH_HEADER_MISSING })
  await t.rejects(verifyRequest(withHeaders(good, { authorization: 'Basic dXNlcjpwYXNz' }), lookup, at), { code: SigningErrorCode.AUTH_SCHEME_INVALID })
  const authorization = String(good.headers.authorization)
  await t.rejects(verifyRequest(withHeaders(good, { authorization: [authorization, authorization] }), lookup, at), { code: SigningErrorCode.HEADER_REPEATED })
  await t.rejects(verifyRequest(withHeaders(good, { 'X-M-Date': String(good.headers['x-m-date']) }), lookup, at),
    { code: SigningErrorCode.HEADER_REPEATED }, 'the same header under two spellings')
  await t.rejects(verifyRequest(withHeaders(good, { 'content-type': 'application/json\nx: y' }), lookup, at),
    { code: SigningErrorCode.SIGNATURE_MISMATCH }, 'a line break no parser would let through')
})

t.test('header names are matched whatever their case', async (t) => {
  const good = signedIncoming()
  const headers = Object.fromEntries(Object.entries(good.headers).map(([name, value]) => [name.toUpperCase(), value]))
  t.same(await verifyRequest({ ...good, headers }, lookup, at), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT })
})

t.test('unusable options are refused', async (t) => {
  for (const options of [{ windowSeconds: -1 }, { windowSeconds: 1.5 }, { now: new Date('nonsense') }]) {
    await t.rejects(verifyRequest(signedIncoming(), lookup, options), { code: SigningErrorCode.INVALID_ARGUMENT }, JSON.stringify(options))
  }
})

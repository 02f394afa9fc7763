import t from 'tap'
import {
  SigningErrorCode, formatAuthorization, httpDate, parseAuthorization, sign, signRequest, verifyRequest, verifyRequestBody,
  verifyRequestHead, type IncomingSignedRequest
} from '../src/index.js'
import { KEY, SECRET, SIGNED_AT, lookup, signedIncoming } from './fixtures.js'

const at = { now: SIGNED_AT, windowSeconds: 300 }
const withHeaders = (request: IncomingSignedRequest, headers: Record<string, string | string[] | undefined>) =>
  ({ ...request, headers: { ...request.headers, ...headers } })

const lowerCase = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

/** The Authorization header of `headers` re-signed with `contentMd5`, as a client that computed it wrongly would send. */
function resign (headers: Record<string, string | string[] | undefined>, contentMd5: string, method = 'POST', uri = '/x', contentType = 'application/json'): string {
  const { key, nonce } = parseAuthorization(String(headers.authorization))
  const signature = sign(SECRET, { method, uri, contentMd5, contentType, date: String(headers['x-m-date']), nonce })
  return formatAuthorization({ key, nonce, signature })
}

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

t.test('every digit of the signature counts: one changed anywhere is refused', async (t) => {
  // The tampering above changes the first digit only; a comparison of a prefix of the digest
  // would pass it and accept a forgery right in its first bytes.
  const good = signedIncoming()
  const authorization = String(good.headers.authorization)
  const signature = parseAuthorization(authorization).signature
  for (let index = 0; index < signature.length; index++) {
    const changed = signature.slice(0, index) + (signature[index] === '0' ? '1' : '0') + signature.slice(index + 1)
    await t.rejects(verifyRequest(withHeaders(good, { authorization: authorization.replace(signature, changed) }), lookup, at),
      { code: SigningErrorCode.SIGNATURE_MISMATCH }, `digit ${index} changed`)
  }
})

t.test('the Content-MD5 header is optional, but must match the body when sent', async (t) => {
  const good = signedIncoming()
  const md5 = String(good.headers['content-md5'])
  t.ok(await verifyRequest(withHeaders(good, { 'content-md5': undefined }), lookup, at), 'absent: computed from the body')
  t.ok(await verifyRequest(withHeaders(good, { 'content-md5': md5.toUpperCase() }), lookup, at), 'hex case does not matter')
  await t.rejects(verifyRequest({ ...good, rawBody: Buffer.from('{"message":"pwned"}') }, lookup, at),
    { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'the body changed under the header')
  // The header is signed: changing it breaks the signature before the body is looked at.
  await t.rejects(verifyRequest(withHeaders(good, { 'content-md5': '0'.repeat(32) }), lookup, at),
    { code: SigningErrorCode.SIGNATURE_MISMATCH }, 'a header changed after signing')
  const wrongMd5 = signRequest({ method: 'POST', uri: '/x', body: '{"a":1}', contentType: 'application/json', key: KEY, secret: SECRET, date: SIGNED_AT, nonce: 'n' })
  const signedWrongMd5 = { method: 'POST', uri: '/x', headers: lowerCase({ ...wrongMd5, 'Content-MD5': md5 }), rawBody: '{"a":1}' }
  // Re-signed over the wrong header, as a client with a broken MD5 would.
  signedWrongMd5.headers.authorization = resign(signedWrongMd5.headers, md5)
  await t.rejects(verifyRequest(signedWrongMd5, lookup, at), { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'a signed MD5 that is not the body\'s')
  const bodiless = signedIncoming({ method: 'GET', body: undefined, contentType: undefined })
  const bodilessWithMd5 = withHeaders(bodiless, { 'content-md5': md5 })
  bodilessWithMd5.headers.authorization = resign(bodilessWithMd5.headers as Record<string, string>, md5, 'GET', bodiless.uri, '')
  await t.rejects(verifyRequest(bodilessWithMd5, lookup, at),
    { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'an MD5 for a request without a body')
})

t.test('the head is verified before any body: with Content-MD5, the signature too', async (t) => {
  const good = signedIncoming()
  const head = await verifyRequestHead(good, lookup, at)
  t.equal(head.pending, undefined, 'with Content-MD5 the signature is already checked')
  t.same(verifyRequestBody(head, good.rawBody), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT })
  t.throws(() => verifyRequestBody(head, '{"message":"pwned"}'), { code: SigningErrorCode.CONTENT_MD5_MISMATCH }, 'the body must be the one signed')
  await t.rejects(verifyRequestHead(withHeaders(good, { authorization: String(good.headers.authorization).replace(/signature="./, 'signature="0') }), lookup, at),
    { code: SigningErrorCode.SIGNATURE_MISMATCH }, 'a wrong signature is refused from the head alone')
  let looked = 0
  await t.rejects(verifyRequestHead(withHeaders(good, { 'x-m-date': httpDate(new Date(SIGNED_AT.getTime() + 301_000)) }), async (key) => { looked++; return await lookup(key) }, at),
    { code: SigningErrorCode.DATE_OUT_OF_WINDOW })
  t.equal(looked, 0, 'a stale date is refused before the key is looked up')

  const withoutMd5 = withHeaders(good, { 'content-md5': undefined })
  const open = await verifyRequestHead(withoutMd5, lookup, at)
  t.not(open.pending, undefined, 'without Content-MD5 the signature waits for the body')
  t.same(verifyRequestBody(open, good.rawBody), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT })
  t.throws(() => verifyRequestBody(open, '{"message":"pwned"}'), { code: SigningErrorCode.SIGNATURE_MISMATCH })
})

t.test('X-M-Date must be present, RFC 1123 and inside the window', async (t) => {
  const good = signedIncoming()
  await t.rejects(verifyRequest(withHeaders(good, { 'x-m-date': undefined }), lookup, at), { code: SigningErrorCode.DATE_MISSING })
  await t.rejects(verifyRequest(withHeaders(good, { 'x-m-date': SIGNED_AT.toISOString() }), lookup, at), { code: SigningErrorCode.DATE_INVALID })
})

// The api's clock is the real one, so its window edges are pinned here, with a fixed `now`.
// guarantee: replay-window
t.test('the X-M-Date window, to the millisecond either way', async (t) => {
  const good = signedIncoming()
  const at = (offsetMs: number, windowSeconds = 300) => ({ now: new Date(SIGNED_AT.getTime() + offsetMs), windowSeconds })
  const accepted = async (offsetMs: number, what: string, windowSeconds?: number) =>
    t.same(await verifyRequest(good, lookup, at(offsetMs, windowSeconds)), { key: KEY, nonce: 'nonce-1', date: SIGNED_AT }, what)
  const refused = async (offsetMs: number, what: string, windowSeconds?: number) =>
    await t.rejects(verifyRequest(good, lookup, at(offsetMs, windowSeconds)), { code: SigningErrorCode.DATE_OUT_OF_WINDOW }, what)
  // The header counts whole seconds and the clock is truncated to them: a date of second S stands
  // for S.000 to S.999, so the late edge ends 999 ms after S + 300 s.
  await accepted(300_999, 'clock 300.999 s after the date')
  await refused(301_000, 'clock 301.000 s after the date')
  await accepted(-300_000, 'clock 300.000 s before the date')
  await refused(-300_001, 'clock 300.001 s before the date')
  await accepted(0, 'the same instant')
  await accepted(60_999, 'another window: 60.999 s late', 60)
  await refused(61_000, 'another window: 61.000 s late', 60)
  await accepted(999, 'a zero window accepts the same second', 0)
  await refused(-1, 'and nothing before it', 0)
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

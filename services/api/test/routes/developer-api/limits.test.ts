import { signAsDeveloper, type DeveloperSignedHeaders } from '@beacon/testkit'
import t from 'tap'
import { buildApp } from '../../helper.js'
import { rawRequest } from '../../raw-http.js'
import { CARRIER, KEY, SECRET, insertDeveloper, signedInject } from './signing-fixtures.js'
import { ECHO, OVER, requestHead, smallLimitApp } from './small-limit-app.js'

// guarantee: auth-failure-limit
t.test('wrong signatures from one address: 429 after the limit, even for a good one; unsigned requests do not count', async (t) => {
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '3' })
  await insertDeveloper(app)
  for (let i = 0; i < 5; i++) {
    t.equal((await app.inject({ method: 'GET', url: ECHO })).statusCode, 401, 'not signed at all')
  }
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 200, 'unsigned requests were no guesses')
  for (let i = 1; i <= 3; i++) {
    t.equal((await signedInject(app, { url: ECHO, secret: 'a-guessed-secret' })).statusCode, 401, `bad signature ${i}`)
  }
  const refused = await signedInject(app, { url: ECHO })
  t.equal(refused.statusCode, 429, 'a correct signature after three wrong ones')
  t.same(refused.json(), { error: { status: 429, code: 42900, message: refused.json().error.message } })
  t.match(refused.json().error.message, /too many unauthorized requests from this address/)
  t.match(refused.headers['retry-after'], /^\d+$/)
  t.equal((await signedInject(app, { url: ECHO, remoteAddress: '192.0.2.50' })).statusCode, 200, 'another address is not affected')
})

// guarantee: signed-requests-per-minute, inapp-tokens-per-minute
t.test('verified requests are limited per developer key; tokens have their own, lower limit', async (t) => {
  const { app } = await buildApp(t, { SIGNED_REQUESTS_PER_MINUTE: '3', INAPP_TOKENS_PER_MINUTE: '1' })
  await insertDeveloper(app)
  await insertDeveloper(app, { key: 'other-key-0123456789' })
  const token = async (key = KEY) => await signedInject(app, {
    method: 'POST', url: '/api/1.0/im/token', body: JSON.stringify({ user: `alice@${CARRIER}` }), contentType: 'application/json', key
  })
  t.equal((await token()).statusCode, 200)
  const tooManyTokens = await token()
  t.equal(tooManyTokens.statusCode, 429, 'the second token within the minute')
  t.match(tooManyTokens.json(), { error: { status: 429, code: 42900, message: /more than 1 in-app tokens in a minute with this developer key/ } })
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 200, 'the third request of the key')
  const over = await signedInject(app, { url: ECHO })
  t.equal(over.statusCode, 429, 'the fourth')
  t.match(over.json(), { error: { status: 429, code: 42900, message: /more than 3 requests in a minute with this developer key/ } })
  t.match(over.headers['retry-after'], /^\d+$/)
  t.equal((await signedInject(app, { url: ECHO, key: 'other-key-0123456789' })).statusCode, 200, 'another developer is not affected')
  t.equal((await token('other-key-0123456789')).statusCode, 200, 'nor its tokens')

  // Over its rate, a developer's requests cost the database nothing more: the limit is looked at
  // before the nonce is claimed (each was inserted before, at any rate).
  const nonces = async () => (await app.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM signed_nonce WHERE developer_key = $1', [KEY])).rows[0]!.n
  const before = await nonces()
  for (let i = 0; i < 5; i++) t.equal((await signedInject(app, { url: ECHO })).statusCode, 429, `over the rate ${i + 1}`)
  t.equal(await nonces(), before, 'no nonce claimed for them')
})

// guarantee: signed-body-limit-after-auth
t.test('the head is checked before the body is read; the signed API has its own small body limit', async (t) => {
  const { app, port, post, lastRefusal, headRefusals } = await smallLimitApp(t)
  for (const [what, headers, reason] of headRefusals) {
    // Within the limit, and never sent: the answer comes from the head alone.
    const refused = await rawRequest(port, post(headers, 4000))
    t.equal(refused.status, 401, what)
    t.match(JSON.parse(refused.body), { error: { code: 40100 } })
    t.equal(lastRefusal(), reason, `${what}: refused for that reason`)
  }

  // Correctly signed but over the limit: 413 in the signed API's body.
  const signedBig = signAsDeveloper({ method: 'POST', uri: ECHO, body: OVER, contentType: 'application/json', key: KEY, secret: SECRET })
  const tooLarge = await rawRequest(port, post({ ...signedBig }, Buffer.byteLength(OVER)), OVER)
  t.equal(tooLarge.status, 413)
  t.match(JSON.parse(tooLarge.body), { error: { status: 413, code: 41300 } })
  const small = JSON.stringify({ content: 'x'.repeat(3000) })
  const fits = await signedInject(app, { method: 'POST', url: ECHO, body: small, contentType: 'application/json' })
  t.equal(fits.statusCode, 200, 'under the limit it is read')
})

// guarantee: signed-body-too-large-alike
t.test('a body too large, or a request Fastify cannot read, tells no key from another', async (t) => {
  const { port, post, lastRefusal, sign, headRefusals } = await smallLimitApp(t)
  // Declared over the limit: 413 before the key is looked up, the same answer whoever asks (a
  // known key's 413 beside an unknown key's 401 told which keys exist). The promised 5 MiB are
  // never sent.
  const declaredTooLarge = []
  for (const [what, headers] of [...headRefusals, ['a known key without Content-MD5', { ...sign(), 'Content-MD5': undefined }] as const]) {
    const refused = await rawRequest(port, post(headers, 5 * 1024 * 1024))
    t.equal(refused.status, 413, `declared over the limit: ${what}`)
    declaredTooLarge.push(refused.body)
  }
  t.same(new Set(declaredTooLarge).size, 1, 'one body for all')

  // Chunked, so only reading tells the size: without a Content-MD5 the head proved no signature,
  // and a body over the limit is refused as unsigned, as for an unknown key.
  const chunked = (headers: Record<string, string | undefined> | DeveloperSignedHeaders, body: string) => rawRequest(port,
    requestHead('POST', { 'Transfer-Encoding': 'chunked', ...headers }),
    `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`, { keepAlive: true })
  const unverified = await chunked({ ...sign(), 'Content-MD5': undefined }, OVER)
  t.equal(unverified.status, 401, 'chunked over the limit, a known key without Content-MD5: 401')
  t.equal(lastRefusal(), 'SIGNED_API_BODY_UNVERIFIED')
  const unknown = await chunked({ ...sign({ key: 'nobody-0123456789' }), 'Content-MD5': undefined }, OVER)
  const answer = (response: { status: number, body: string, headers: Record<string, string> }) => [response.status, response.body, response.headers.connection]
  t.same(answer(unknown), answer(unverified), 'the same answer as for an unknown key, to the Connection header')
  t.equal(unknown.headers.connection, 'close', 'a refusal closes the connection')

  // Requests Fastify cannot read reach no body check: for a known key without Content-MD5 they
  // are refused as unsigned too, as an unknown key's are in the head (review, 2026-12-06).
  const unreadable = async (key: string, method: string, headers: Record<string, string>) => answer(await rawRequest(port,
    requestHead(method, { ...sign({ key }), 'Content-MD5': undefined, 'Content-Type': undefined, ...headers }), '', { keepAlive: true }))
  for (const [what, method, headers] of [['a malformed Content-Type (415)', 'POST', { 'Content-Type': 'x' }], ['QUERY without a Content-Type (400)', 'QUERY', {}]] as const) {
    const known = await unreadable(KEY, method, headers)
    t.same(known, await unreadable('nobody-0123456789', method, headers), `${what}: the known key's answer is the unknown key's`)
    t.equal(known[0], 401, what)
  }
  const proven = await chunked(signAsDeveloper({ method: 'POST', uri: ECHO, body: OVER, contentType: 'application/json', key: KEY, secret: SECRET }), OVER)
  t.equal(proven.status, 413, 'with a Content-MD5 the signature covers, the head proved the key\'s owner: 413')
})

t.test('a body declared one byte over the limit is refused 413 whoever asks; one of exactly the limit is judged on its head', async (t) => {
  const { port, post, lastRefusal, sign } = await smallLimitApp(t)
  // The bound is exact: one byte over SIGNED_BODY_LIMIT_BYTES (4096 here) is refused before the key
  // is looked up, so an unknown key gets the 413 a known key would get, not a 401 of its own.
  const overByOne = await rawRequest(port, post(sign({ key: 'nobody-0123456789' }), 4097))
  t.equal(overByOne.status, 413, 'an unknown key declaring 4097 bytes')
  t.match(JSON.parse(overByOne.body), { error: { status: 413, code: 41300 } })
  // Exactly the limit fits: the unknown key is refused from its head (never sending the body), as any.
  const atLimit = await rawRequest(port, post(sign({ key: 'nobody-0123456789' }), 4096))
  t.equal(atLimit.status, 401, 'an unknown key declaring 4096 bytes')
  t.equal(lastRefusal(), 'SIGNING_KEY_UNKNOWN')
})

import { signAsDeveloper, type DeveloperSignedHeaders } from '@beacon/testkit'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { buildApp } from '../../helper.js'
import { parseResponse, rawConnection, rawRequest, type RawResponse } from '../../raw-http.js'
import { CARRIER, KEY, SECRET, insertDeveloper, signedInject } from './signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'

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

// guarantee: signed-requests-per-minute
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

/** Request line and headers as raw HTTP sends them; a header given `undefined` is left out. */
const requestHead = (method: string, headers: Record<string, string | undefined> | DeveloperSignedHeaders) =>
  `${method} ${ECHO} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
  Object.entries(headers).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value!}`).join('\r\n')

/** An api with a 4 KiB signed body limit, listening for raw HTTP, and what its body-limit tests share. */
async function smallLimitApp (t: Test) {
  const { app, logs } = await buildApp(t, { SIGNED_BODY_LIMIT_BYTES: '4096' }, { captureLogs: true })
  await insertDeveloper(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const post = (headers: Record<string, string | undefined> | DeveloperSignedHeaders, length: number) =>
    requestHead('POST', { 'Content-Length': String(length), ...headers })
  const lastRefusal = () => /"reason":"([A-Z_]+)"/.exec(logs().split('\n').filter((line) => line.includes('signed request refused')).at(-1) ?? '')?.[1]
  const sign = (options: { key?: string, secret?: string, date?: Date } = {}) => signAsDeveloper({
    method: 'POST', uri: ECHO, body: '{}', contentType: 'application/json', key: options.key ?? KEY, secret: options.secret ?? SECRET, ...(options.date === undefined ? {} : { date: options.date })
  })
  // Refused from the head, each for its reason.
  const headRefusals: Array<[string, Record<string, string> | DeveloperSignedHeaders, string]> = [
    ['no Authorization header', { 'Content-Type': 'application/json', 'X-M-Date': new Date().toUTCString() }, 'SIGNING_AUTH_HEADER_MISSING'],
    ['an unknown key', sign({ key: 'nobody-0123456789' }), 'SIGNING_KEY_UNKNOWN'],
    ['a stale date', sign({ date: new Date(Date.now() - 3_600_000) }), 'SIGNING_DATE_OUT_OF_WINDOW'],
    ['a wrong signature over the Content-MD5 header', sign({ secret: 'not-the-secret' }), 'SIGNING_SIGNATURE_MISMATCH']
  ]
  return { app, port, post, lastRefusal, sign, headRefusals }
}

// A body over the 4 KiB limit.
const OVER = JSON.stringify({ content: 'x'.repeat(5000) })

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

/** What a caller sees of an answer: status, body, and whether the connection stays. */
const seen = (response: RawResponse) => [response.status, response.body, response.headers.connection]

/** Header lines as raw HTTP sends them; a header given `undefined` is left out. */
const headerLines = (headers: Record<string, string | undefined> | DeveloperSignedHeaders) =>
  Object.entries(headers).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value!}\r\n`).join('')

// Long enough that a server answering from the head would have (it answers in milliseconds).
const HOLD_MS = 800

// guarantee: signed-unknown-key-waits-for-body
t.test('without Content-MD5, an unknown key waits for its body as a known key must: the wait tells no key from another', async (t) => {
  const { port, lastRefusal } = await smallLimitApp(t)
  const body = JSON.stringify({ content: 'x'.repeat(3000) })
  // What a caller without the secret can send: a guessed signature, no Content-MD5 (the head then
  // proves nothing, and a known key's request is only judged on its body). Kept alive: the
  // server's own Connection header is compared.
  const attempt = async (key: string, path: string) => {
    const signed = signAsDeveloper({ method: 'POST', uri: path, body, contentType: 'application/json', key, secret: 'a-guessed-secret' })
    const connection = rawConnection(port)
    connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headerLines({ ...signed, 'Content-MD5': undefined })}\r\n`)
    await sleep(HOLD_MS)
    const answeredEarly = connection.received() !== ''
    if (!connection.socket.destroyed) connection.socket.write(body)
    await connection.answered
    connection.socket.destroy()
    return { answeredEarly, answer: seen(parseResponse(connection.received())) }
  }
  for (const path of [ECHO, '/api/1.0/no-such-route']) {
    const known = await attempt(KEY, path)
    t.equal(lastRefusal(), 'SIGNING_SIGNATURE_MISMATCH', `${path}, a known key: refused for its signature`)
    const unknown = await attempt('nobody-0123456789', path)
    t.equal(lastRefusal(), 'SIGNING_KEY_UNKNOWN', `${path}, an unknown key: refused for its key`)
    t.equal(known.answeredEarly, false, `${path}, a known key: no answer before the body`)
    t.equal(unknown.answeredEarly, false, `${path}, an unknown key: no answer before the body either`)
    t.equal(known.answer[0], 401, `${path}: 401`)
    t.equal(known.answer[2], 'close', `${path}: the refusal closes the connection`)
    t.same(unknown.answer, known.answer, `${path}: the same answer, to the Connection header`)
  }
})

// guarantee: signed-body-limit-404
t.test('a path under the signed prefix that no route has holds its body to the signed limit too', async (t) => {
  const { port } = await smallLimitApp(t)
  const path = '/api/1.0/no-such-route'
  // Chunked (no length to refuse from the head), and never ended: only a server that stops reading
  // at the limit answers. Fastify gave the not-found handler the server-wide limit (5 MiB).
  const overLimit = async (headers: Record<string, string | undefined> | DeveloperSignedHeaders) => {
    const connection = rawConnection(port)
    connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headerLines(headers)}\r\n` +
      `${Buffer.byteLength(OVER).toString(16)}\r\n${OVER}\r\n`)
    const answered = await Promise.race([connection.answered.then(() => true), sleep(5000).then(() => false)])
    connection.socket.destroy()
    return answered ? seen(parseResponse(connection.received())) : undefined
  }
  const sign = (key: string, secret: string) => signAsDeveloper({ method: 'POST', uri: path, body: OVER, contentType: 'application/json', key, secret })
  const known = await overLimit({ ...sign(KEY, 'a-guessed-secret'), 'Content-MD5': undefined })
  t.same(known?.[0], 401, 'a known key without Content-MD5: answered once past the limit, as unsigned')
  t.same(await overLimit({ ...sign('nobody-0123456789', 'a-guessed-secret'), 'Content-MD5': undefined }), known, 'an unknown key: the same answer')
  const proven = await overLimit(sign(KEY, SECRET))
  t.same(proven?.[0], 413, 'a head proven by its Content-MD5: 413, as on a route')
})

// guarantee: signed-body-limit-404
t.test('a GET under the signed prefix to a path no route has, with a body Fastify never reads: the connection goes on', async (t) => {
  const { port } = await smallLimitApp(t)
  const path = '/api/1.0/no-such-route'
  // Signed over no body (Fastify reads none for a GET), verified, so answered 404 and kept alive;
  // Node then discards the unread 40 KiB before the next request on the connection. Chunked: a
  // declared length over the limit is a 413 from the head.
  const signed = signAsDeveloper({ method: 'GET', uri: path, body: '', key: KEY, secret: SECRET })
  const connection = rawConnection(port)
  connection.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headerLines(signed)}\r\n` +
    `${(40 * 1024).toString(16)}\r\n${'x'.repeat(40 * 1024)}\r\n0\r\n\r\n` +
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
  const statuses = () => [...connection.received().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))
  await Promise.race([new Promise((resolve) => connection.socket.once('close', resolve)), sleep(5000)])
  connection.socket.destroy()
  t.same(statuses(), [404, 200], 'the 404, then the next request\'s answer on the same connection')
})

t.test('a body never sent, cut at REQUEST_TIMEOUT_MS, counts against the address as a wrong key does (SECURITY.md)', async (t) => {
  const { app } = await buildApp(t, { REQUEST_TIMEOUT_MS: '1000', AUTH_FAILURES_PER_ADDRESS: '1' })
  await insertDeveloper(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 200, 'the address starts with no failure')
  const signed = signAsDeveloper({ method: 'POST', uri: ECHO, body: '{}', contentType: 'application/json', key: 'nobody-0123456789', secret: 'a-guessed-secret' })
  const connection = rawConnection(port)
  connection.socket.write(`POST ${ECHO} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n${headerLines({ ...signed, 'Content-MD5': undefined })}\r\n`)
  await Promise.race([new Promise((resolve) => connection.socket.once('close', resolve)), sleep(10_000)])
  connection.socket.destroy()
  let status = 0
  for (let tries = 0; tries < 50 && status !== 429; tries++) {
    status = (await signedInject(app, { url: ECHO })).statusCode
    if (status !== 429) await sleep(100)
  }
  t.equal(status, 429, 'the cut request was counted: the next, correctly signed, is refused')
})

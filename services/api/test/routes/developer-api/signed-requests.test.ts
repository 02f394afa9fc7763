import { bodyMd5 } from '@beacon/testkit'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { KEY, SECRET, UNAUTHORIZED, insertDeveloper, signedInject } from './signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'
const JSON_TYPE = 'application/json'
const BODY = '{"content":"hello","push":{"content":"hi"}}'

t.test('accepted: a signed GET without a body and a signed POST with one', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)

  const get = await signedInject(app, { url: `${ECHO}?b=2&a=1` })
  t.equal(get.statusCode, 200, get.body)
  t.same(get.json(), { developerKey: KEY, method: 'GET', uri: `${ECHO}?b=2&a=1`, body: null })

  const post = await signedInject(app, { method: 'POST', url: ECHO, body: BODY, contentType: JSON_TYPE })
  t.equal(post.statusCode, 200, post.body)
  t.same(post.json(), { developerKey: KEY, method: 'POST', uri: ECHO, body: JSON.parse(BODY) })

  // Whitespace and key order as sent: the signature is over the bytes, not a re-serialisation.
  const spaced = '{ "b" : 1,\n  "a" : [ 2 ] }'
  const exact = await signedInject(app, { method: 'POST', url: ECHO, body: spaced, contentType: 'application/json; charset=utf-8' })
  t.equal(exact.statusCode, 200, exact.body)
  t.same(exact.json().body, { b: 1, a: [2] })

  const noMd5 = await signedInject(app, { method: 'POST', url: ECHO, body: BODY, contentType: JSON_TYPE, headers: { 'content-md5': undefined } })
  t.equal(noMd5.statusCode, 200, 'Content-MD5 is optional: the signature covers the body anyway')

  const upperMd5 = await signedInject(app, {
    method: 'POST', url: ECHO, body: BODY, contentType: JSON_TYPE, headers: { 'content-md5': bodyMd5(BODY).toUpperCase() }
  })
  t.equal(upperMd5.statusCode, 200, 'a Content-MD5 in upper case hex agrees too')

  const text = await signedInject(app, { method: 'POST', url: ECHO, body: 'plain words', contentType: 'text/plain' })
  t.equal(text.statusCode, 200, 'any content type is accepted and signed as sent')
  t.equal(text.json().body, null, 'a non-JSON body is not echoed')

  const emptyPost = await signedInject(app, { method: 'POST', url: ECHO })
  t.equal(emptyPost.statusCode, 200, 'a POST without a body')
  t.equal(emptyPost.json().body, null)
})

/** What a client sees of an answer: its status, its headers but the date, and its body's bytes. */
function answer (response: { statusCode: number, headers: Record<string, unknown>, body: string }) {
  const { date: _date, ...headers } = response.headers
  return { status: response.statusCode, headers, body: response.body }
}

// guarantee: signature-over-received-bytes, signed-refusals-alike
t.test('refused: every part of the request is covered by the signature, and every reason gets the same answer', async (t) => {
  // More refusals than AUTH_FAILURES_PER_ADDRESS allows by default, from one address.
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '1000' })
  await insertDeveloper(app)
  await insertDeveloper(app, { key: 'dev-key-disabled', enabled: false })
  t.equal((await signedInject(app, { url: ECHO, nonce: 'used-once' })).statusCode, 200, 'the nonce replayed below, used once')
  const post = { method: 'POST', url: ECHO, body: BODY, contentType: JSON_TYPE }
  const cases: Array<[string, Parameters<typeof signedInject>[1]]> = [
    ['tampered path', { ...post, url: `${ECHO}x`, signed: { uri: ECHO } }],
    ['tampered path case', { ...post, url: ECHO.toUpperCase().replace('/API/1.0', '/api/1.0'), signed: { uri: ECHO } }],
    ['tampered query', { url: `${ECHO}?a=2`, signed: { uri: `${ECHO}?a=1` } }],
    ['query added', { url: `${ECHO}?a=1`, signed: { uri: ECHO } }],
    ['query reordered', { url: `${ECHO}?b=2&a=1`, signed: { uri: `${ECHO}?a=1&b=2` } }],
    ['tampered method', { ...post, signed: { method: 'PUT' } }],
    ['tampered body', { ...post, body: BODY.replace('hello', 'HELLO'), signed: { body: BODY }, headers: { 'content-md5': undefined } }],
    ['body re-serialised', { ...post, body: JSON.stringify(JSON.parse(BODY), null, 1), signed: { body: BODY }, headers: { 'content-md5': undefined } }],
    ['body dropped from the signature', { ...post, signed: { body: undefined } }],
    ['tampered content type', { ...post, contentType: 'application/json; charset=utf-8', signed: { contentType: JSON_TYPE } }],
    ['content type removed', { method: 'POST', url: ECHO, body: 'x', contentType: 'text/plain', headers: { 'content-type': undefined } }],
    ['Content-MD5 disagreeing with the body', { ...post, headers: { 'content-md5': '0'.repeat(32) } }],
    ['Content-MD5 of the signed body, body tampered', { ...post, body: `${BODY} `, signed: { body: BODY } }],
    // Not parsed before it is proven: a 400 for its JSON would be another answer than every refusal's.
    ['Content-MD5 of the signed body, body tampered into no JSON', { ...post, body: BODY.slice(0, -1), signed: { body: BODY } }],
    ['wrong secret', { ...post, secret: `${SECRET}x` }],
    ['unknown key', { ...post, key: 'no-such-key' }],
    ['disabled key', { ...post, key: 'dev-key-disabled' }],
    ['replayed nonce', { url: ECHO, nonce: 'used-once' }],
    ['stale date (a day old)', { url: ECHO, date: new Date(Date.now() - 86_400_000) }],
    ['date a day ahead', { url: ECHO, date: new Date(Date.now() + 86_400_000) }],
    ['missing X-M-Date', { url: ECHO, headers: { 'x-m-date': undefined } }],
    ['malformed X-M-Date', { url: ECHO, headers: { 'x-m-date': '2024-03-01T12:00:00Z' } }],
    ['X-M-Date changed after signing', { url: ECHO, headers: { 'x-m-date': new Date(Date.now() - 1000).toUTCString() } }],
    ['no Authorization header', { url: ECHO, headers: { authorization: undefined } }],
    ['malformed Authorization header', { url: ECHO, headers: { authorization: `MAAIISDK10 key=${KEY}, nonce="n1"` } }]
  ]
  const answers: Array<{ name: string, answer: ReturnType<typeof answer> }> = []
  for (const [name, request] of cases) answers.push({ name, answer: answer(await signedInject(app, request)) })
  const [first, ...rest] = answers
  t.equal(first!.answer.status, 401, first!.name)
  t.strictSame(JSON.parse(first!.answer.body), UNAUTHORIZED, `${first!.name}: the generic body`)
  t.equal(first!.answer.headers['www-authenticate'], 'MAAIISDK10', `${first!.name}: the challenge`)
  for (const { name, answer } of rest) t.strictSame(answer, first!.answer, `${name}: the same answer as ${first!.name}`)
  t.equal(await app.db.signedNonce.count(), 1, 'no refused request used up a nonce (the one is the accepted request\'s)')
})

// guarantee: signed-refusals-alike
t.test('refused: Authorization header syntax', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const signature = 'a'.repeat(64)
  const bad = [
    undefined,
    '',
    `Basic ${Buffer.from('admin:x').toString('base64')}`,
    `maaiisdk10 key="${KEY}", nonce="n1", signature="${signature}"`,
    `MAAIISDK10  key="${KEY}", nonce="n1", signature="${signature}"`,
    `MAAIISDK10 key="${KEY}", nonce="n1"`,
    `MAAIISDK10 key="${KEY}", key="${KEY}", nonce="n1", signature="${signature}"`,
    `MAAIISDK10 key="${KEY}", nonce="n1", signature="${signature}", realm="x"`,
    `MAAIISDK10 key=${KEY}, nonce="n1", signature="${signature}"`,
    `MAAIISDK10 key="${KEY}", nonce="n 1", signature="${signature}"`,
    `MAAIISDK10 key="${KEY}", nonce="n1", signature="${signature.toUpperCase()}"`
  ]
  const refusals = []
  for (const authorization of bad) refusals.push(answer(await signedInject(app, { url: ECHO, headers: { authorization } })))
  const [first, ...rest] = refusals
  t.equal(first!.status, 401, 'no Authorization header')
  t.strictSame(JSON.parse(first!.body), UNAUTHORIZED)
  for (const [index, refusal] of rest.entries()) t.strictSame(refusal, first, `${bad[index + 1]}: the same answer`)
})

t.test('refused: disabled developers, and the old secret after a rotation', async (t) => {
  const { app } = await buildApp(t)
  const { developer } = await insertDeveloper(app)

  t.equal((await call(app, 'POST', '/admin/developer/disable', { requestObject: { id: developer.id } })).statusCode, 200)
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 401, 'disabled')
  t.equal((await call(app, 'POST', '/admin/developer/enable', { requestObject: { id: developer.id } })).statusCode, 200)
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 200, 'enabled again')

  const rotated = await call(app, 'POST', '/admin/developer/rotate', { requestObject: { id: developer.id } })
  const secret = rotated.json().responseObject.secret as string
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 401, 'the old secret no longer works')
  t.equal((await signedInject(app, { url: ECHO, secret })).statusCode, 200, 'the new one does')
  t.equal((await signedInject(app, { url: ECHO, secret, key: 'other' })).statusCode, 401, 'only with its own key')
})

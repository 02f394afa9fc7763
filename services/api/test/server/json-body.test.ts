import t from 'tap'
import { MAX_JSON_DEPTH, escapesLoneSurrogate, holdsNumberBeyondDouble, nestsDeeperThan } from '../../src/json-body.js'
import { authorization, buildApp } from '../helper.js'
import { insertDeveloper, signedInject } from '../routes/developer-api/signing-fixtures.js'

/** A JSON array nested `depth` levels deep around a number. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`
/** A send whose body's `extras` make the whole body nest `depth` levels (the envelope takes five). */
const sendNesting = (depth: number) =>
  `{"requestObject":{"appId":1,"message":{"userId":"u","body":{"title":"t","extras":{"x":${nested(depth - 5)}}}}}}`

t.test('nesting is counted on the text: brackets inside strings, escaped quotes included, do not count', async (t) => {
  t.equal(MAX_JSON_DEPTH, 64)
  t.notOk(nestsDeeperThan(nested(3), 3))
  t.ok(nestsDeeperThan(nested(4), 3))
  t.notOk(nestsDeeperThan('{"a":"[[[[{{{{","b":[1]}', 2), 'brackets in a string')
  t.notOk(nestsDeeperThan('{"a":"\\"[[[[","b":{}}', 2), 'after an escaped quote the string goes on')
  t.notOk(nestsDeeperThan('{"a":"\\\\","b":{}}', 2), 'an escaped backslash ends before the quote')
  t.ok(nestsDeeperThan('{"a":"\\\\","b":{"c":[]}}', 2), 'and what follows the string counts again')
  t.notOk(nestsDeeperThan('[]'.repeat(1000), 1), 'siblings are not depth')
})

// Before 2026-12-05 a body nested a few thousand levels deep in a free-form field (a message's
// extras) passed validation and failed in JSON.stringify with a RangeError: a 500 for 10 KB.
// guarantee: json-body-depth
t.test('the PowerAuth API: a body nested too deep is a 400 in its error body, never a 500', async (t) => {
  const { app } = await buildApp(t)
  const send = (payload: string) => app.inject({ method: 'POST', url: '/push/message/send', headers: { authorization, 'content-type': 'application/json' }, payload })
  for (const depth of [MAX_JSON_DEPTH + 1, 5000]) {
    const refused = await send(sendNesting(depth))
    t.equal(refused.statusCode, 400, `${depth} levels`)
    t.same(refused.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: `the request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep, which is not accepted` } })
  }
  const deepest = await send(sendNesting(MAX_JSON_DEPTH))
  t.equal(deepest.statusCode, 400)
  t.equal(deepest.json().responseObject.message, 'Application with appId 1 does not exist', `${MAX_JSON_DEPTH} levels pass the parser and the validation`)
})

t.test('the signed API: a body nested too deep is a 400 in its error body, never a 500', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const echo = (body: string) => signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body, contentType: 'application/json' })
  const refused = await echo(`{"body":${nested(5000)}}`)
  t.equal(refused.statusCode, 400)
  t.same(refused.json(), { error: { status: 400, code: 40000, message: `the request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep, which is not accepted` } })
  const deepest = await echo(`{"body":${nested(MAX_JSON_DEPTH - 1)}}`)
  t.equal(deepest.statusCode, 200, 'the deepest body accepted is echoed')
  t.same(deepest.json().body, { body: JSON.parse(nested(MAX_JSON_DEPTH - 1)) })
})

t.test('half of a surrogate pair alone is found in any string, keys too; pairs and other escapes are not', async (t) => {
  for (const lone of ['"\\ud800"', '"\\udc00"', '{"\\uD83D":1}', '"a\\ud83dz"', '"\\ud83d\\u0041"', '"\\ud83d\\"', '"\\ude00\\ud83d"']) {
    t.ok(escapesLoneSurrogate(lone), lone)
  }
  for (const fine of ['"\\ud83d\\ude00"', '"\\uD83D\\uDE00"', '"\\\\ud800"', '"\\u00e9\\n\\"\\\\"', 'ud800', '"\\u12"']) {
    t.notOk(escapesLoneSurrogate(fine), fine)
  }
})

// Before 2026-12-05 a lone surrogate in a field stored as json (a message's title) was a 503 from
// the database, and one in a text column (a user id) was stored as U+FFFD (hostile/route-inputs).
// guarantee: json-body-lone-surrogate
t.test('both APIs: half of a surrogate pair alone is a 400; a whole pair passes as one character', async (t) => {
  const { app } = await buildApp(t)
  const message = 'the request body contains half of a UTF-16 surrogate pair alone (an escape from \\ud800 to \\udfff not in a pair), which is not accepted'
  const post = (url: string, payload: string) => app.inject({ method: 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload })
  const send = await post('/push/message/send', '{"requestObject":{"appId":1,"message":{"userId":"u","body":{"title":"\\ud800","body":"b"}}}}')
  t.equal(send.statusCode, 400)
  t.same(send.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message } })

  await insertDeveloper(app)
  const signed = await signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body: '{"body":"x\\udc00"}', contentType: 'application/json' })
  t.equal(signed.statusCode, 400)
  t.same(signed.json(), { error: { status: 400, code: 40000, message } })
  const pair = await signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body: '{"body":"\\ud83d\\ude00"}', contentType: 'application/json' })
  t.equal(pair.statusCode, 200)
  t.equal(pair.json().body.body, '\u{1F600}', 'a pair is one character, kept')
})

t.test('numbers a double cannot hold are found outside strings; true, false, strings and numbers in range are not', async (t) => {
  for (const beyond of ['{"a":1e400}', '{"a":-1E+400}', '{"a":1e-400}', '{"a":[1,2e308]}', `{"a":1${'0'.repeat(309)}}`, '{"a":true,"b":1e300,"c":-1e999}', '1e400']) {
    t.ok(holdsNumberBeyondDouble(beyond), beyond.slice(0, 40))
  }
  for (const fine of ['{"a":"1e400"}', '{"a":1e308}', '{"a":-1.7976931348623157e308}', '{"a":0e-999}', '{"a":0.0e500}', '{"a":5e-324}',
    '{"a":"x\\"1e400"}', `{"a":"${'9'.repeat(400)}"}`, '{"e400":true,"b":1e300,"c":false,"d":null}', '{"a":1-2e400}']) {
    t.notOk(holdsNumberBeyondDouble(fine), fine.slice(0, 40))
  }
})

// Before 2026-12-06 1e400 in a free-form field (extras, a signed push's content) was parsed as
// Infinity and stored as null, 1e-400 as 0: values silently changed.
// guarantee: json-body-number-range
t.test('both APIs: a number beyond a double\'s range is a 400, not a value silently changed', async (t) => {
  const { app } = await buildApp(t)
  const message = 'the request body holds a number beyond what a 64-bit floating-point number holds (its magnitude above 1.7976931348623157e308, or so small that it becomes 0), which is not accepted'
  const post = (url: string, payload: string) => app.inject({ method: 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload })
  for (const extra of ['1e400', '-1e400', '1e-400']) {
    const send = await post('/push/message/send', `{"requestObject":{"appId":1,"message":{"userId":"u","body":{"title":"t","extras":{"n":${extra}}}}}}`)
    t.equal(send.statusCode, 400, extra)
    t.same(send.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message } })
  }
  await insertDeveloper(app)
  const echo = (body: string) => signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body, contentType: 'application/json' })
  const signed = await echo('{"body":1e400}')
  t.equal(signed.statusCode, 400)
  t.same(signed.json(), { error: { status: 400, code: 40000, message } })
  const largest = await echo('{"body":1.7976931348623157e308,"small":5e-324}')
  t.equal(largest.statusCode, 200, 'the largest and the smallest doubles pass')
  t.same(largest.json().body, { body: 1.7976931348623157e308, small: 5e-324 })
})

// Before 2026-12-05 bytes that are not UTF-8 were decoded to U+FFFD and stored so (review).
// guarantee: json-body-utf8
t.test('both APIs: a body that is not valid UTF-8 is a 400, not a value silently changed', async (t) => {
  const { app } = await buildApp(t)
  const message = 'the request body is not valid UTF-8, which is not accepted'
  for (const bytes of [Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80])]) {
    const payload = Buffer.concat([Buffer.from('{"requestObject":{"appId":1,"token":"a'), bytes, Buffer.from('","platform":"ios"}}')])
    const refused = await app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': 'application/json' }, payload })
    t.equal(refused.statusCode, 400, bytes.toString('hex'))
    t.same(refused.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message } })
  }
  await insertDeveloper(app)
  const signed = await signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body: Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc3]), Buffer.from('"}')]), contentType: 'application/json' })
  t.equal(signed.statusCode, 400)
  t.same(signed.json(), { error: { status: 400, code: 40000, message } })
  const accented = await signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body: Buffer.from('{"body":"é"}'), contentType: 'application/json' })
  t.equal(accented.json().body.body, 'é', 'valid UTF-8 beyond ASCII passes')
})

// Before 2026-12-05 a body the signature did not cover (no Content-MD5 sent, so the head alone
// proved nothing) was answered 400 for its content, which told a caller without the secret that
// the key exists (review).
// guarantee: signed-body-refused-after-signature
t.test('the signed API says nothing of a body before its signature holds', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const echo = (body: string, signedBody: string) => signedInject(app, {
    method: 'POST', url: '/api/1.0/debug/echo', body, contentType: 'application/json', signed: { body: signedBody }, headers: { 'content-md5': undefined }
  })
  for (const body of ['{"body":"\\ud800"}', `{"body":${nested(100)}}`, '{"body":', '{"body":"a\\u0000"}']) {
    const forged = await echo(body, '{"body":"x"}')
    t.equal(forged.statusCode, 401, `${body.slice(0, 20)}: signed over another body`)
    t.equal(forged.json().error.code, 40100)
    const signed = await echo(body, body)
    t.equal(signed.statusCode, 400, `${body.slice(0, 20)}: signed over itself, refused for its content`)
  }
})

// Fastify's parser refuses a key that would reach an object's prototype; both APIs keep it.
t.test('both APIs: a body with __proto__ or constructor.prototype is a 400, not parsed', async (t) => {
  const { app } = await buildApp(t)
  const poisoned = ['{"requestObject":{"appId":1},"__proto__":{"admin":true}}', '{"requestObject":{"appId":1,"constructor":{"prototype":{"admin":true}}}}']
  for (const payload of poisoned) {
    const refused = await app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': 'application/json' }, payload })
    t.equal(refused.statusCode, 400, payload)
    t.same(refused.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'request body is not valid JSON' } })
  }
  await insertDeveloper(app)
  for (const body of ['{"body":1,"__proto__":{"admin":true}}', '{"body":{"constructor":{"prototype":{"admin":true}}}}']) {
    const signed = await signedInject(app, { method: 'POST', url: '/api/1.0/debug/echo', body, contentType: 'application/json' })
    t.equal(signed.statusCode, 400, body)
    t.equal(signed.json().error.code, 40000)
  }
})

// PowerAuth's clients send a JSON content type with no body at all where a route takes none
// (a campaign's delete, say): that is no body, not malformed JSON.
t.test('the PowerAuth API: a JSON content type with no body is no body, not a 400', async (t) => {
  const { app } = await buildApp(t)
  for (const method of ['DELETE', 'POST'] as const) {
    const empty = await app.inject({ method, url: '/push/campaign/1/delete', headers: { authorization, 'content-type': 'application/json' }, payload: '' })
    t.equal(empty.statusCode, 200, `${method}: ${empty.body}`)
    t.same(empty.json(), { status: 'OK', responseObject: { deleted: false } })
  }
})

import t from 'tap'
import { buildApp } from '../../helper.js'
import { CARRIER, KEY, SECRET, UNAUTHORIZED, insertDeveloper, signedHeaders, signedInject } from './signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'
const PUSH = `/api/1.0/push/alice@${CARRIER}`
const JSON_TYPE = 'application/json'
const error = (status: number, message: string | RegExp) => ({ error: { status, code: status * 100, message } })

t.test('every error of the signed API has the {"error":{status,code,message}} body', async (t) => {
  const { app } = await buildApp(t, { SIGNED_BODY_LIMIT_BYTES: '2048' })
  await insertDeveloper(app)
  const post = (url: string, body: string, contentType = JSON_TYPE) => signedInject(app, { method: 'POST', url, body, contentType })

  const badJson = await post(PUSH, '{"content":')
  t.equal(badJson.statusCode, 400)
  t.same(badJson.json(), error(400, 'the request body is not valid JSON'))

  const invalid = await post(PUSH, JSON.stringify({ content: 5 }))
  t.equal(invalid.statusCode, 400)
  t.match(invalid.json(), error(400, /^content must be /), 'a validation error names the field')

  const nul = await post(PUSH, JSON.stringify({ content: 'a\u0000b' }))
  t.equal(nul.statusCode, 400)
  t.match(nul.json(), error(400, /NUL/))

  const large = await post(PUSH, JSON.stringify({ content: 'x'.repeat(4096) }))
  t.equal(large.statusCode, 413)
  t.same(large.json(), error(413, 'the request body is larger than the server accepts'))

  const mediaType = await post(ECHO, 'x', 'not a media type')
  t.equal(mediaType.statusCode, 415)
  t.same(mediaType.json(), error(415, 'the Content-Type header is not a valid media type'))

  const unknownCarrier = await post('/api/1.0/push/alice@nowhere.example', JSON.stringify({ content: 'hi' }))
  t.equal(unknownCarrier.statusCode, 403, 'a carrier that does not exist reads as one not granted')
  t.match(unknownCarrier.json(), error(403, /nowhere\.example/))

  const noRoute = await signedInject(app, { url: '/api/1.0/no/such/endpoint' })
  t.equal(noRoute.statusCode, 404)
  t.same(noRoute.json(), error(404, 'no endpoint GET /api/1.0/no/such/endpoint'))

  const unsignedNoRoute = await app.inject({ method: 'GET', url: '/api/1.0/no/such/endpoint' })
  t.equal(unsignedNoRoute.statusCode, 401, 'unsigned requests learn nothing about the routes')
  t.same(unsignedNoRoute.json(), UNAUTHORIZED)

  t.equal((await app.inject({ method: 'GET', url: '/push/service/status' })).json().status, 'ERROR',
    'the PowerAuth API keeps its own error body')
})

t.test('a defect is a 500 in the same body, with the details in the log only', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await insertDeveloper(app)
  // Not a refusal the code knows (those are 401s, an unreadable secret included): a server fault.
  const open = app.secrets.open
  app.secrets.open = () => { throw new TypeError('simulated defect') }
  t.teardown(() => { app.secrets.open = open })
  const response = await signedInject(app, { url: ECHO })
  t.equal(response.statusCode, 500)
  t.same(response.json(), error(500, 'internal error; see the server log'))
  t.match(logs(), /"level":50.*simulated defect.*signed API request failed/)
})

// guarantee: signed-refusal-logged
t.test('refusals are logged with their reason, never with the secret or the signature', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await insertDeveloper(app)
  await insertDeveloper(app, { key: 'disabled-key', secret: 'disabled-secret', enabled: false })

  const signatures: string[] = []
  const send = async (call: Parameters<typeof signedHeaders>[0]) => {
    const headers = signedHeaders(call)
    signatures.push(/signature="([0-9a-f]+)"/.exec(headers.authorization ?? '')?.[1] ?? '')
    return await app.inject({ method: 'GET', url: call.url, headers })
  }
  t.equal((await send({ url: ECHO, secret: 'wrong-secret' })).statusCode, 401)
  t.equal((await send({ url: ECHO, date: new Date(Date.now() - 3_600_000) })).statusCode, 401)
  t.equal((await send({ url: ECHO, key: 'disabled-key', secret: 'disabled-secret' })).statusCode, 401)
  t.equal((await send({ url: ECHO, key: 'unknown-key' })).statusCode, 401)
  t.equal((await send({ url: ECHO, headers: { authorization: 'MAAIISDK10 key="k"' } })).statusCode, 401)
  t.equal((await send({ url: ECHO, nonce: 'twice' })).statusCode, 200)
  t.equal((await send({ url: ECHO, nonce: 'twice' })).statusCode, 401)
  await app.close()

  const lines = logs().split('\n').filter((line) => line.includes('signed request refused')).map((line) => JSON.parse(line))
  const reasons = lines.map((line) => [line.reason, line.developerKey, line.keyStatus])
  t.same(reasons, [
    ['SIGNING_SIGNATURE_MISMATCH', KEY, undefined],
    ['SIGNING_DATE_OUT_OF_WINDOW', KEY, undefined],
    ['SIGNING_KEY_UNKNOWN', 'disabled-key', 'disabled'],
    ['SIGNING_KEY_UNKNOWN', 'unknown-key', 'unknown'],
    ['SIGNING_AUTH_PARAM_MISSING', undefined, undefined],
    ['SIGNED_API_NONCE_REPLAYED', KEY, undefined]
  ], 'one line per refusal, with the reason and the claimed key')
  t.ok(lines.every((line) => line.level === 30 || line.level === 40), 'at info or warn level')
  t.equal(lines[0].level, 40, 'a wrong signature is a warning')
  const log = logs()
  for (const secret of [SECRET, 'disabled-secret', 'wrong-secret', ...signatures.filter((s) => s !== '')]) {
    t.notOk(log.includes(secret), `not in the log: ${secret.slice(0, 12)}…`)
  }
})

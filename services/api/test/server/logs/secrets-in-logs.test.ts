import { connect } from 'node:net'
import t from 'tap'
import { authorization, buildApp, call, credentials } from '../../helper.js'
import { until } from '../../routes/in-app/helper.js'
import { base64, createApp, ecKeyPem, serviceAccount } from '../../routes/admin/fixtures.js'

// The log is read at trace level (every request, every error, start-up and shutdown) after
// credentials went through every path that handles them: accepted, refused and removed. Every
// answer is kept and read the same way.
// guarantee: no-secrets-in-answers-or-logs
t.test('provider keys, service accounts and passwords never reach the log or an answer', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  const answers: string[] = []
  const answered = async (...args: Parameters<typeof call>) => {
    const response = await call(...args)
    answers.push(response.body)
    return response
  }
  const id = await createApp(t, app, 7)
  const apnsKey = ecKeyPem()
  const account = serviceAccount()
  const secrets = [
    apnsKey, base64(apnsKey), String(account.private_key), base64(JSON.stringify(account)),
    credentials.password, authorization
  ]
  const ios = { id, bundle: 'com.example', keyId: 'KEYID12345', teamId: 'TEAMID1234', privateKeyBase64: base64(apnsKey) }
  t.equal((await answered(app, 'PUT', '/admin/app/ios/update', { requestObject: ios })).statusCode, 200)
  t.equal((await answered(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'beacon-test', privateKeyBase64: base64(JSON.stringify(account)) } })).statusCode, 200)
  // The same keys through the newer PowerAuth routes, by appId.
  const { id: _id, ...apns } = ios
  t.equal((await answered(app, 'POST', '/admin/app/apns', { requestObject: { ...apns, appId: 7, environment: 'production' } })).statusCode, 200)
  t.equal((await answered(app, 'PUT', '/admin/app/fcm', { requestObject: { appId: 7, projectId: 'beacon-test', privateKeyBase64: base64(JSON.stringify(account)) } })).statusCode, 200)
  // Refused uploads: a key of the wrong kind, and a body the schema rejects while holding a key.
  t.equal((await answered(app, 'PUT', '/admin/app/ios/update', { requestObject: { ...ios, privateKeyBase64: base64(String(account.private_key)) } })).statusCode, 400)
  t.equal((await answered(app, 'PUT', '/admin/app/ios/update', { requestObject: { ...ios, keyId: 'bad key id!' } })).statusCode, 400)
  t.equal((await answered(app, 'POST', '/admin/app/detail', { requestObject: { id, includeIos: true, includeAndroid: true } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/admin/app/list', headers: { authorization: `Basic ${Buffer.from(`admin:${credentials.password}x`).toString('base64')}` } })).statusCode, 401)
  await app.close()

  const log = logs()
  t.ok((log.match(/"msg":"request completed"/g) ?? []).length >= 7, 'every request was logged')
  t.match(log, /"reqId"/, 'requests were logged')
  for (const secret of secrets) t.notOk(log.includes(secret), `not in the log: ${secret.slice(0, 24)}…`)
  t.notOk(/PRIVATE KEY/.test(log), 'no PEM block in the log')
  t.equal(answers.length, 7, 'every answer was kept')
  for (const secret of secrets) t.notOk(answers.some((body) => body.includes(secret)), `in no answer: ${secret.slice(0, 24)}…`)
  t.notOk(answers.some((body) => body.includes('PRIVATE KEY')), 'no PEM block in an answer')
})

// Fastify logs a malformed or oversized request head at trace with Node's error, which carries
// the bytes read (rawPacket): the Basic credentials, an in-app token in the query or a header.
t.test('a malformed request head at trace level: its error is logged without the bytes it carried', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }))
  const token = 'in-app-token-0123456789abcdef'
  const raw = async (text: string) => await new Promise<string>((resolve) => {
    const socket = connect(Number(address.port), address.hostname, () => { socket.write(text) })
    let answer = ''
    socket.on('data', (chunk) => { answer += chunk.toString() })
    socket.on('close', () => { resolve(answer) })
    socket.on('error', () => { resolve(answer) })
  })
  const head = `Host: ${address.host}\r\nAuthorization: ${authorization}\r\n`
  // A header name with a space (HPE_INVALID_HEADER_TOKEN), after the credentials; then a head over 16 KiB (431).
  const answers = [
    await raw(`GET /admin/app/list HTTP/1.1\r\n${head}Bad Header: x\r\n\r\n`),
    await raw(`GET /api/1.0/im/connect?token=${token} HTTP/1.1\r\n${head}X-Token: ${token}\r\nBad Header: x\r\n\r\n`),
    await raw(`GET /admin/app/list HTTP/1.1\r\n${head}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  ]
  t.same(answers.map((answer) => answer.split('\r\n')[0]), ['HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 431 Request Header Fields Too Large'])
  await until(async () => (logs().match(/"msg":"client (error|header_overflow)"/g) ?? []).length >= 3, 'the three trace lines', 5_000)
  const lines = logs().split('\n').filter((line) => /"msg":"client (error|header_overflow)"/.test(line))
  t.match(lines[0], /"code":"HPE_INVALID_HEADER_TOKEN"/, 'the error itself is logged')
  // The bytes as text, or as the JSON of a Buffer.
  const bytes = [...logs().matchAll(/"data":\[([0-9,]*)\]/g)].map((m) => Buffer.from(m[1]!.split(',').filter((s) => s !== '').map(Number)).toString('latin1'))
  for (const text of [logs(), ...bytes]) {
    t.notOk(text.includes(authorization.slice('Basic '.length)), 'no Basic credentials')
    t.notOk(text.includes(credentials.password), 'no password')
    t.notOk(text.includes(token), 'no in-app token')
  }
})

// pino serializes the errors held in an error's properties, and an AggregateError's, with its own
// serializer and copies plain objects as they are: the bytes are dropped at every depth.
t.test('an error holding a request head error, at any depth, is logged without its bytes', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  const packet = (secret: string) => Object.assign(new Error('Parse Error: Invalid header value char'), { code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: Buffer.from(`GET / HTTP/1.1\r\nAuthorization: ${secret}\r\n`) })
  const head = packet('secret-in-a-property')
  const wrapped = Object.assign(new Error('wrapped'), { inner: head, details: { rawPacket: 'secret-in-a-plain-object', kept: 'kept-value' } })
  app.log.error({ err: wrapped }, 'nested')
  app.log.error({ err: new AggregateError([packet('secret-in-an-aggregate')], 'many') }, 'aggregate')
  const lines = logs().split('\n').filter((line) => /"msg":"(nested|aggregate)"/.test(line))
  t.equal(lines.length, 2, 'both errors were logged')
  const log = lines.join('\n')
  t.match(log, /"inner":\{[^}]*"code":"HPE_INVALID_HEADER_TOKEN"/, 'the inner error itself is logged')
  t.match(log, /"kept":"kept-value"/, 'the plain object\'s other properties are logged')
  t.match(log, /"aggregateErrors":\[\{[^}]*"code":"HPE_INVALID_HEADER_TOKEN"/, 'the aggregated error is logged')
  t.notMatch(log, /rawPacket/, 'no rawPacket at any depth')
  // The bytes as text, or as the JSON of a Buffer.
  const texts = [log, ...[...log.matchAll(/"data":\[([0-9,]*)\]/g)].map((m) => Buffer.from(m[1]!.split(',').filter((s) => s !== '').map(Number)).toString('latin1'))]
  for (const secret of ['secret-in-a-property', 'secret-in-a-plain-object', 'secret-in-an-aggregate']) t.notOk(texts.some((text) => text.includes(secret)), `not in the log: ${secret}`)
  t.ok(Buffer.isBuffer(head.rawPacket) && (wrapped.details as { rawPacket?: unknown }).rawPacket === 'secret-in-a-plain-object', 'the logged errors themselves are unchanged')
})

import t from 'tap'
import { authorization, buildApp, call, credentials } from '../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount } from '../routes/admin/fixtures.js'

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

import t from 'tap'
import { authorization, buildApp, call } from '../../helper.js'
import { assertNothingLeaked, base64, createApp, ecKeyPem, pemBodyLines, rsaKeyPem, serviceAccount, storedCredentials } from './fixtures.js'

const apns = { bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456' }

t.test('POST and PUT /admin/app/apns store APNs credentials by PowerAuth appId; DELETE removes them', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 3001, 'newer')
  const bodies: string[] = []
  const firstPem = ecKeyPem()

  const created = await call(app, 'POST', '/admin/app/apns', { requestObject: { appId: 3001, ...apns, environment: 'development', privateKeyBase64: base64(firstPem) } })
  bodies.push(created.body)
  t.equal(created.statusCode, 200)
  t.same(created.json(), { status: 'OK' })
  let row = await storedCredentials(app, id)
  t.match(row, { apns_bundle: 'some.bundle.id', apns_environment: 'SANDBOX', credentials_version: 1 })
  t.equal(app.secrets.open({ column: 'application.apns_private_key', rowId: id }, row.apns_private_key ?? new Uint8Array()).toString(), firstPem)

  const secondPem = ecKeyPem()
  const replaced = await call(app, 'PUT', '/admin/app/apns', { requestObject: { appId: '3001', ...apns, keyId: 'KEY2', environment: 'production', privateKeyBase64: base64(secondPem) } })
  bodies.push(replaced.body)
  t.equal(replaced.statusCode, 200)
  row = await storedCredentials(app, id)
  t.match(row, { apns_key_id: 'KEY2', apns_environment: 'PRODUCTION', credentials_version: 2 })
  t.equal(app.secrets.open({ column: 'application.apns_private_key', rowId: id }, row.apns_private_key ?? new Uint8Array()).toString(), secondPem)

  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id, includeIos: true } })
  bodies.push(detail.body)
  t.match(detail.json().responseObject, { application: { appId: 3001, ios: true }, iosKeyId: 'KEY2', iosEnvironment: 'production' })

  const removed = await call(app, 'DELETE', '/admin/app/apns?appId=3001')
  t.equal(removed.statusCode, 200)
  t.same(removed.json(), { status: 'OK' })
  t.match(await storedCredentials(app, id), { apns_bundle: null, apns_key_id: null, apns_team_id: null, apns_environment: null, apns_private_key: null, credentials_version: 3 })
  assertNothingLeaked(t, bodies, [...pemBodyLines(firstPem), ...pemBodyLines(secondPem)])
})

t.test('POST and PUT /admin/app/fcm store FCM credentials by PowerAuth appId; DELETE removes them', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 3002)
  const json = JSON.stringify(serviceAccount())
  for (const [method, projectId, version] of [['POST', 'first-project', 1], ['PUT', 'second-project', 2]] as const) {
    const response = await call(app, method, '/admin/app/fcm', { requestObject: { appId: 3002, projectId, privateKeyBase64: base64(json) } })
    t.equal(response.statusCode, 200, method)
    t.same(response.json(), { status: 'OK' })
    const row = await storedCredentials(app, id)
    t.match(row, { fcm_project_id: projectId, credentials_version: version }, method)
    t.equal(app.secrets.open({ column: 'application.fcm_service_account', rowId: id }, row.fcm_service_account ?? new Uint8Array()).toString(), json)
  }
  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id, includeAndroid: true } })
  t.same(detail.json().responseObject, { application: { id, appId: 3002, appName: '3002', ios: false, android: true, apns: false, fcm: true }, androidProjectId: 'second-project' })
  assertNothingLeaked(t, [detail.body], [...pemBodyLines(rsaKeyPem())])

  const removed = await call(app, 'DELETE', '/admin/app/fcm?appId=3002')
  t.equal(removed.statusCode, 200)
  t.match(await storedCredentials(app, id), { fcm_project_id: null, fcm_service_account: null, credentials_version: 3 })
})

t.test('apns/fcm share the key validation of ios/android', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const p384 = await call(app, 'POST', '/admin/app/apns', { requestObject: { appId: 1, ...apns, privateKeyBase64: base64(ecKeyPem('secp384r1')) } })
  t.equal(p384.statusCode, 400)
  t.match(p384.json().responseObject.message, /it holds an EC key on curve secp384r1$/)
  const rsa = await call(app, 'PUT', '/admin/app/apns', { requestObject: { appId: 1, ...apns, privateKeyBase64: base64(rsaKeyPem()) } })
  t.equal(rsa.statusCode, 400)
  t.match(rsa.json().responseObject.message, /it holds an RSA key$/)
  const badUri = await call(app, 'POST', '/admin/app/fcm', { requestObject: { appId: 1, projectId: 'p', privateKeyBase64: base64(JSON.stringify(serviceAccount({ token_uri: 'not a url' }))) } })
  t.equal(badUri.statusCode, 400)
  t.match(badUri.json().responseObject.message, /token_uri is not an http\(s\) URL$/)
  const noEmail = await call(app, 'PUT', '/admin/app/fcm', { requestObject: { appId: 1, projectId: 'p', privateKeyBase64: base64(JSON.stringify(serviceAccount({ client_email: undefined }))) } })
  t.equal(noEmail.statusCode, 400)
  t.match(noEmail.json().responseObject.message, /client_email is missing/)
  t.equal((await storedCredentials(app, id)).credentials_version, 0, 'nothing changed')
})

t.test('apns/fcm: unknown appIds and bad query strings are 400s', async (t) => {
  const { app } = await buildApp(t)
  await createApp(t, app, 1)
  const unknownBody = await call(app, 'POST', '/admin/app/apns', { requestObject: { appId: 404, ...apns, privateKeyBase64: base64(ecKeyPem()) } })
  t.equal(unknownBody.statusCode, 400)
  t.equal(unknownBody.json().responseObject.message, 'Application with appId 404 does not exist')
  const missingAppId = await call(app, 'PUT', '/admin/app/fcm', { requestObject: { projectId: 'p', privateKeyBase64: base64('{}') } })
  t.equal(missingAppId.statusCode, 400)
  t.equal(missingAppId.json().responseObject.message, 'requestObject.appId is required')

  for (const provider of ['apns', 'fcm']) {
    // The query field is named `querystring appId` or `querystring.appId` (shared formatting).
    const badAppId = /^querystring[ .]appId must be an application id \(1 to 255 characters, not only spaces, no control or invisible format characters, a number only in canonical form\)$/
    const cases: Array<[string, RegExp]> = [
      ['', /^querystring[ .]appId is required$/],
      ['?appId=', badAppId],
      ['?appId=%20%20', badAppId],
      ['?appId=a%0Ab', badAppId],
      [`?appId=${'x'.repeat(256)}`, badAppId],
      // A number written otherwise than canonically is no id (a 1.0 client would read it as 1000).
      ['?appId=1e3', badAppId],
      ['?appId=007', badAppId],
      // Text ids since PowerAuth 1.3: these are ids, of no application here.
      ['?appId=abc', /^Application with appId abc does not exist$/],
      ['?appId=404', /^Application with appId 404 does not exist$/]
    ]
    for (const [query, message] of cases) {
      const response = await call(app, 'DELETE', `/admin/app/${provider}${query}`)
      t.equal(response.statusCode, 400, `DELETE ${provider}${query}`)
      t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
      t.match(response.json().responseObject.message, message, `DELETE ${provider}${query}`)
    }
  }
})

t.test('the admin endpoints need credentials', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const requests = [
    { method: 'GET', url: '/admin/app/unconfigured/list' },
    { method: 'POST', url: '/admin/app/create', payload: { requestObject: { appId: 2 } } },
    { method: 'PUT', url: '/admin/app/ios/update', payload: { requestObject: { id, ...apns, privateKeyBase64: base64(ecKeyPem()) } } },
    { method: 'DELETE', url: '/admin/app/fcm?appId=1' }
  ] as const
  for (const request of requests) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401, `${request.method} ${request.url}`)
  }
  t.equal(await app.db.application.count(), 1, 'nothing was created')
  t.equal((await storedCredentials(app, id)).credentials_version, 0, 'nothing was changed')
  t.ok(authorization.startsWith('Basic '), 'the helper authenticates the other calls')
})

// guarantee: fcm-token-uri-allowlist
t.test('/admin/app/fcm takes the token endpoints FCM_TOKEN_URIS allows, and no other', async (t) => {
  const { app } = await buildApp(t, { FCM_TOKEN_URIS: 'http://127.0.0.1:9000/token' })
  const id = await createApp(t, app, 1)
  const upload = async (tokenUri: string) =>
    await call(app, 'PUT', '/admin/app/fcm', { requestObject: { appId: 1, projectId: 'p', privateKeyBase64: base64(JSON.stringify(serviceAccount({ token_uri: tokenUri }))) } })
  t.equal((await upload('http://127.0.0.1:9000/token')).statusCode, 200, 'the listed endpoint')
  for (const tokenUri of ['https://evil.example/token', 'https://oauth2.googleapis.com/token']) {
    const refused = await upload(tokenUri)
    t.equal(refused.statusCode, 400, tokenUri)
    t.match(refused.json().responseObject.message, /token_uri is not a token endpoint this server allows \(http:\/\/127\.0\.0\.1:9000\/token\)$/, tokenUri)
  }
  t.equal((await storedCredentials(app, id)).credentials_version, 1, 'only the accepted upload was stored')
})

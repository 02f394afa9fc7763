import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { assertNothingLeaked, base64, createApp, ecKeyPem, pemBodyLines, rsaKeyPem, serviceAccount, storedCredentials, unconfiguredIos } from './fixtures.js'

t.test('PUT /admin/app/android/update: the seed example, stored sealed and never returned', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 5)
  const json = JSON.stringify(serviceAccount(), null, 2)
  const accountBase64 = base64(json)
  const bodies: string[] = []

  const update = await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'PROJECTID123', privateKeyBase64: accountBase64 } })
  bodies.push(update.body)
  t.equal(update.statusCode, 200)
  t.same(update.json(), { status: 'OK' })

  const stored = await storedCredentials(app, id)
  t.equal(stored.fcm_project_id, 'PROJECTID123')
  t.equal(stored.credentials_version, 1)
  const sealed = Buffer.from(stored.fcm_service_account ?? [])
  t.ok(sealed.length > 0, 'a sealed service account is stored')
  for (const form of ['latin1', 'utf8', 'base64'] as const) {
    const raw = sealed.toString(form)
    t.notOk(raw.includes('PRIVATE KEY') || raw.includes('client_email') || pemBodyLines(rsaKeyPem()).some((line) => raw.includes(line)),
      `no service-account text in the stored bytes (${form})`)
  }
  t.equal(app.secrets.open({ column: 'application.fcm_service_account', rowId: id }, sealed).toString('utf8'), json, 'the master key opens it, as this application\'s, to the uploaded JSON')

  for (const [method, url, body] of [
    ['GET', '/admin/app/list', undefined],
    ['POST', '/admin/app/detail', { requestObject: { id, includeIos: true, includeAndroid: true } }]
  ] as const) {
    const response = await call(app, method, url, body)
    t.equal(response.statusCode, 200, url)
    bodies.push(response.body)
  }
  t.same(JSON.parse(bodies[2] ?? '{}').responseObject, {
    application: { id, appId: 5, appName: '5', ios: false, android: true, apns: false, fcm: true },
    ...unconfiguredIos,
    androidProjectId: 'PROJECTID123'
  })
  assertNothingLeaked(t, bodies, [accountBase64.slice(0, 40), ...pemBodyLines(rsaKeyPem()), 'iam.gserviceaccount.com'])
})

// guarantee: provider-keys-checked-on-upload
t.test('android/update refuses service accounts FCM cannot use, without echoing them', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const withoutField = (name: string) => {
    const account = serviceAccount()
    delete account[name]
    return base64(JSON.stringify(account))
  }
  const cases: Array<[string, string, RegExp]> = [
    ...['project_id', 'client_email', 'private_key', 'token_uri'].map((name): [string, string, RegExp] =>
      [`no ${name}`, withoutField(name), new RegExp(`service-account JSON key file, base64-encoded; ${name} is missing or not a non-empty string$`)]),
    ['an empty client_email', base64(JSON.stringify(serviceAccount({ client_email: ' ' }))), /client_email is missing or not a non-empty string$/],
    ['a numeric project_id', base64(JSON.stringify(serviceAccount({ project_id: 42 }))), /project_id is missing or not a non-empty string$/],
    ['a token_uri that is no URL', base64(JSON.stringify(serviceAccount({ token_uri: 'oauth2.googleapis.com/token' }))), /token_uri is not an http\(s\) URL$/],
    ['a token_uri of another scheme', base64(JSON.stringify(serviceAccount({ token_uri: 'ftp://oauth2.googleapis.com/token' }))), /token_uri is not an http\(s\) URL$/],
    ['an EC private_key', base64(JSON.stringify(serviceAccount({ private_key: ecKeyPem() }))), /private_key must be an RSA key, not EC$/],
    ['a private_key that is no PEM', base64(JSON.stringify(serviceAccount({ private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }))), /private_key is not a readable unencrypted PEM private key$/],
    ['base64 of plain text', base64('hello'), /; it is not JSON$/],
    ['a JSON array', base64('[1,2]'), /; it is not a JSON object$/],
    ['JSON null', base64('null'), /; it is not a JSON object$/],
    ['characters outside base64', '{"project_id":"x"}', /^requestObject\.privateKeyBase64 must be base64$/]
  ]
  const bodies: string[] = []
  for (const [what, privateKeyBase64, message] of cases) {
    const response = await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'beacon-test', privateKeyBase64 } })
    bodies.push(response.body)
    t.equal(response.statusCode, 400, what)
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC', what)
    t.match(response.json().responseObject.message, message, what)
  }
  assertNothingLeaked(t, bodies, [...pemBodyLines(rsaKeyPem()), 'iam.gserviceaccount.com', 'oauth2.googleapis.com'])
  t.match(await storedCredentials(app, id), { fcm_project_id: null, fcm_service_account: null, credentials_version: 0 }, 'nothing stored')
})

t.test('android/update: bad fields and unknown ids are 400s', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const key = base64(JSON.stringify(serviceAccount()))
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ id, projectId: 'has space' }, 'requestObject.projectId must be a Firebase project id'],
    [{ id }, 'requestObject.projectId is required'],
    [{ id: 1.5, projectId: 'p' }, 'requestObject.id must be a non-negative integer'],
    [{ id: 9, projectId: 'p' }, 'Application with id 9 does not exist'],
    [{ id: '2147483648', projectId: 'p' }, 'Application with id 2147483648 does not exist']
  ]
  for (const [requestObject, message] of cases) {
    const response = await call(app, 'PUT', '/admin/app/android/update', { requestObject: { privateKeyBase64: key, ...requestObject } })
    t.equal(response.statusCode, 400, message)
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
    t.match(response.json().responseObject.message, message)
  }
})

t.test('DELETE /admin/app/android/remove clears the FCM columns, keeps APNs and bumps the version', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 5)
  await call(app, 'PUT', '/admin/app/ios/update', {
    requestObject: { id, bundle: 'b', keyId: 'K', teamId: 'T', privateKeyBase64: base64(ecKeyPem()) }
  })
  await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'p1', privateKeyBase64: base64(JSON.stringify(serviceAccount())) } })
  await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'p2', privateKeyBase64: base64(JSON.stringify(serviceAccount())) } })
  t.match(await storedCredentials(app, id), { fcm_project_id: 'p2', credentials_version: 3 }, 'a second update replaces the first')

  const removed = await call(app, 'DELETE', '/admin/app/android/remove', { requestObject: { id } })
  t.equal(removed.statusCode, 200)
  t.same(removed.json(), { status: 'OK' })
  const row = await storedCredentials(app, id)
  t.match(row, { fcm_project_id: null, fcm_service_account: null, apns_bundle: 'b', credentials_version: 4 })
  t.not(row.apns_private_key, null, 'the APNs key is untouched')
  const list = await call(app, 'GET', '/admin/app/list')
  t.same(list.json().responseObject.applicationList, [{ id, appId: 5, appName: '5', ios: true, android: false, apns: true, fcm: false }])

  const unknown = await call(app, 'DELETE', '/admin/app/android/remove', { requestObject: { id: 6 } })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().responseObject.message, 'Application with id 6 does not exist')
  const noBody = await call(app, 'DELETE', '/admin/app/android/remove')
  t.equal(noBody.statusCode, 400, 'a remove without a body')
  t.equal(noBody.json().responseObject.code, 'ERROR_GENERIC')
})

// guarantee: fcm-token-uri-allowlist
t.test("android/update: token_uri must be a token endpoint FCM_TOKEN_URIS allows, Google's by default", async (t) => {
  const upload = async (app: Awaited<ReturnType<typeof buildApp>>['app'], id: number, tokenUri: string) =>
    await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'beacon-test', privateKeyBase64: base64(JSON.stringify(serviceAccount({ token_uri: tokenUri }))) } })
  const refusal = /^requestObject\.privateKeyBase64 must be a Firebase service-account JSON key file, base64-encoded; token_uri is not a token endpoint this server allows \(https:\/\/oauth2\.googleapis\.com\/token, https:\/\/accounts\.google\.com\/o\/oauth2\/token\)$/

  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  for (const tokenUri of ['https://oauth2.googleapis.com/token', 'https://accounts.google.com/o/oauth2/token', 'https://OAUTH2.googleapis.com:443/token']) {
    t.equal((await upload(app, id, tokenUri)).statusCode, 200, `accepted: ${tokenUri}`)
  }
  for (const tokenUri of [
    'http://127.0.0.1:9000/token', 'https://169.254.169.254/computeMetadata/v1/', 'http://oauth2.googleapis.com/token',
    'https://oauth2.googleapis.com.evil.example/token', 'https://evil.example/token', 'https://oauth2.googleapis.com/token?x=1'
  ]) {
    const response = await upload(app, id, tokenUri)
    t.equal(response.statusCode, 400, `refused: ${tokenUri}`)
    t.match(response.json().responseObject, { code: 'ERROR_GENERIC', message: refusal }, tokenUri)
  }
  t.equal((await storedCredentials(app, id)).credentials_version, 3, 'only the accepted uploads were stored')

  const local = await buildApp(t, { FCM_TOKEN_URIS: 'http://127.0.0.1:9000/token' })
  const localId = await createApp(t, local.app, 1)
  t.equal((await upload(local.app, localId, 'http://127.0.0.1:9000/token')).statusCode, 200, 'a listed endpoint is accepted')
  t.equal((await upload(local.app, localId, 'https://oauth2.googleapis.com/token')).statusCode, 400, 'the list replaces the default')

  await t.rejects(buildApp(t, { FCM_TOKEN_URIS: 'ftp://x/token' }), { name: 'ConfigError', problems: ['FCM_TOKEN_URIS must be comma-separated absolute http(s) URLs'] })
})

import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { assertNothingLeaked, base64, createApp, ecKeyPem, pemBodyLines, rsaKeyPem, storedCredentials, unconfiguredIos } from './fixtures.js'

const iosSettings = { bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456' }

t.test('PUT /admin/app/ios/update: the seed example, stored sealed and never returned', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1, 'app1')
  const pem = ecKeyPem()
  const keyBase64 = base64(pem)
  const bodies: string[] = []

  const update = await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { id, ...iosSettings, privateKeyBase64: keyBase64 } })
  bodies.push(update.body)
  t.equal(update.statusCode, 200)
  t.same(update.json(), { status: 'OK' })

  const stored = await storedCredentials(app, id)
  t.match(stored, { apns_bundle: 'some.bundle.id', apns_key_id: 'KEYID123456', apns_team_id: 'TEAMID123456', apns_environment: null, credentials_version: 1 })
  const sealed = Buffer.from(stored.apns_private_key ?? [])
  t.ok(sealed.length > 0, 'a sealed key is stored')
  for (const form of ['latin1', 'utf8', 'base64'] as const) {
    const raw = sealed.toString(form)
    t.notOk(raw.includes('PRIVATE KEY') || pemBodyLines(pem).some((line) => raw.includes(line)), `no PEM text in the stored bytes (${form})`)
  }
  t.equal(app.secrets.open({ column: 'application.apns_private_key', rowId: id }, sealed).toString('utf8'), pem, 'the master key opens it, as this application\'s, to the uploaded PEM')

  for (const [method, url, body] of [
    ['GET', '/admin/app/list', undefined],
    ['POST', '/admin/app/detail', { requestObject: { id, includeIos: true, includeAndroid: true } }]
  ] as const) {
    const response = await call(app, method, url, body)
    t.equal(response.statusCode, 200, url)
    bodies.push(response.body)
  }
  t.match(JSON.parse(bodies[2] ?? '{}').responseObject, { application: { ios: true }, iosKeyId: 'KEYID123456' })
  assertNothingLeaked(t, bodies, [keyBase64, keyBase64.slice(0, 40), ...pemBodyLines(pem)])
})

t.test('ios/update: environments, SEC1 keys and replacing a configuration', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const expected: Array<[string | undefined, string | null, string | null]> = [
    ['development', 'SANDBOX', 'development'],
    ['sandbox', 'SANDBOX', 'development'],
    ['production', 'PRODUCTION', 'production'],
    [undefined, null, null]
  ]
  let version = 0
  for (const [environment, stored, shown] of expected) {
    const response = await call(app, 'PUT', '/admin/app/ios/update', {
      requestObject: { id, ...iosSettings, ...(environment === undefined ? {} : { environment }), privateKeyBase64: base64(ecKeyPem()) }
    })
    t.equal(response.statusCode, 200, `environment ${String(environment)}`)
    const row = await storedCredentials(app, id)
    t.equal(row.apns_environment, stored, `${String(environment)} is stored as ${String(stored)}`)
    t.equal(row.credentials_version, ++version, 'every update bumps credentialsVersion')
    const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id, includeIos: true } })
    t.equal(detail.json().responseObject.iosEnvironment, shown)
  }

  // Older tooling exports "BEGIN EC PRIVATE KEY" (SEC1); it is stored as PKCS#8, what the dispatcher signs with.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
  const response = await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { id, ...iosSettings, teamId: 'NEWTEAM', privateKeyBase64: base64(sec1) } })
  t.equal(response.statusCode, 200)
  const row = await storedCredentials(app, id)
  t.equal(row.apns_team_id, 'NEWTEAM', 'the new configuration replaced the old one')
  t.equal(app.secrets.open({ column: 'application.apns_private_key', rowId: id }, row.apns_private_key ?? new Uint8Array()).toString(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
})

// guarantee: provider-keys-checked-on-upload
t.test('ios/update refuses keys APNs cannot use, without echoing them', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const p384 = ecKeyPem('secp384r1')
  const rsa = rsaKeyPem()
  const { publicKey, privateKey: edKey } = generateKeyPairSync('ed25519')
  const encrypted = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' }).toString()
  const cases: Array<[string, string, RegExp]> = [
    ['a P-384 key', base64(p384), /must be an EC P-256 private key in PEM .*; it holds an EC key on curve secp384r1$/],
    ['an RSA key', base64(rsa), /must be an EC P-256 private key .*; it holds an RSA key$/],
    ['an Ed25519 key', base64(edKey.export({ type: 'pkcs8', format: 'pem' }).toString()), /it holds an ED25519 key$/],
    ['a public key', base64(publicKey.export({ type: 'spki', format: 'pem' }).toString()), /no readable unencrypted PEM private key/],
    ['an encrypted key', base64(encrypted), /no readable unencrypted PEM private key/],
    ['base64 of plain text', base64('not a key at all'), /no readable unencrypted PEM private key/],
    ['the PEM itself, not base64', ecKeyPem(), /^requestObject\.privateKeyBase64 must be base64$/],
    ['characters outside base64', 'abc$def', /^requestObject\.privateKeyBase64 must be base64$/],
    ['truncated base64', 'QUJDR', /not valid base64/],
    ['empty', '', /^requestObject\.privateKeyBase64 must be base64$/]
  ]
  const bodies: string[] = []
  for (const [what, privateKeyBase64, message] of cases) {
    const response = await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { id, ...iosSettings, privateKeyBase64 } })
    bodies.push(response.body)
    t.equal(response.statusCode, 400, what)
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC', what)
    t.match(response.json().responseObject.message, message, what)
  }
  assertNothingLeaked(t, bodies, [base64(p384).slice(0, 40), base64(rsa).slice(0, 40), ...pemBodyLines(p384), ...pemBodyLines(rsa)])
  const row = await storedCredentials(app, id)
  t.match(row, { apns_private_key: null, apns_bundle: null, credentials_version: 0 }, 'nothing stored, version unchanged')
})

t.test('ios/update: bad fields and unknown ids are 400s', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const key = base64(ecKeyPem())
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ id, ...iosSettings, bundle: 'has space' }, 'requestObject.bundle must be a bundle id'],
    [{ id, ...iosSettings, keyId: undefined }, 'requestObject.keyId is required'],
    [{ id, ...iosSettings, teamId: 'TEAM-1' }, 'requestObject.teamId must be an Apple team id'],
    [{ id, ...iosSettings, environment: 'staging' }, 'requestObject.environment must be development (same as sandbox) or production'],
    [{ id: 'x', ...iosSettings }, 'requestObject.id must be a non-negative integer'],
    [{ id: 42, ...iosSettings }, 'Application with id 42 does not exist'],
    [{ id: 4294967296, ...iosSettings }, 'Application with id 4294967296 does not exist']
  ]
  for (const [requestObject, message] of cases) {
    const response = await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { privateKeyBase64: key, ...requestObject } })
    t.equal(response.statusCode, 400, message)
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
    t.match(response.json().responseObject.message, message)
  }
  t.equal((await storedCredentials(app, id)).credentials_version, 0)
})

t.test('DELETE /admin/app/ios/remove clears every APNs column and bumps the version', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 5)
  await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { id, ...iosSettings, environment: 'production', privateKeyBase64: base64(ecKeyPem()) } })
  t.equal((await storedCredentials(app, id)).credentials_version, 1)

  const removed = await call(app, 'DELETE', '/admin/app/ios/remove', { requestObject: { id } })
  t.equal(removed.statusCode, 200)
  t.same(removed.json(), { status: 'OK' })
  t.match(await storedCredentials(app, id), {
    apns_bundle: null, apns_key_id: null, apns_team_id: null, apns_environment: null, apns_private_key: null, credentials_version: 2
  })
  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id, includeIos: true } })
  t.same(detail.json().responseObject, {
    application: { id, appId: 5, appName: '5', ios: false, android: false, apns: false, fcm: false },
    ...unconfiguredIos
  })

  for (const [requestObject, message] of [
    [{ id: 77 }, 'Application with id 77 does not exist'],
    [{ id: '3000000000' }, 'Application with id 3000000000 does not exist'],
    [{ id: null }, 'requestObject.appId is required (or, as PowerAuth 1.0 sends it, requestObject.id)'] // null is an absent field
  ] as const) {
    const response = await call(app, 'DELETE', '/admin/app/ios/remove', { requestObject })
    t.equal(response.statusCode, 400, message)
    t.match(response.json().responseObject.message, message)
  }
})

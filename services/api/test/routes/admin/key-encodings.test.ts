import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount, storedCredentials } from './fixtures.js'

// Keys are uploaded as their tools and editors write them: `base64 key.p8` wraps its output at
// 76 columns and ends it with a newline, and an editor on Windows may start a JSON file with a
// byte-order mark. Each is the same key: accepted, and stored as the dispatcher reads it.

/** `base64`'s output: lines of 76 characters, each ending in a newline. */
const wrapped = (text: string) => `${base64(text).match(/.{1,76}/g)!.join('\n')}\n`

t.test('a base64 upload wrapped in lines, ending in a newline, is the key it encodes', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const pem = ecKeyPem()
  const ios = await call(app, 'PUT', '/admin/app/ios/update', { requestObject: { id, bundle: 'b', keyId: 'K', teamId: 'T', privateKeyBase64: wrapped(pem) } })
  t.equal(ios.statusCode, 200, ios.body)
  const json = JSON.stringify(serviceAccount(), null, 2)
  const android = await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'p', privateKeyBase64: wrapped(json) } })
  t.equal(android.statusCode, 200, android.body)
  const row = await storedCredentials(app, id)
  t.equal(app.secrets.open({ column: 'application.apns_private_key', rowId: id }, row.apns_private_key ?? new Uint8Array()).toString(), pem)
  t.equal(app.secrets.open({ column: 'application.fcm_service_account', rowId: id }, row.fcm_service_account ?? new Uint8Array()).toString(), json)
})

t.test('a service account saved with a byte-order mark is accepted and stored without it, the JSON the dispatcher parses', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  const json = JSON.stringify(serviceAccount())
  const response = await call(app, 'PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'p', privateKeyBase64: base64(`\uFEFF${json}`) } })
  t.equal(response.statusCode, 200, response.body)
  const row = await storedCredentials(app, id)
  t.equal(app.secrets.open({ column: 'application.fcm_service_account', rowId: id }, row.fcm_service_account ?? new Uint8Array()).toString(), json)
})

// Whitespace alone passes the schema (it allows line breaks): refused for what it is, not as a bad key.
t.test('an upload of whitespace alone is refused as decoding to nothing', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1)
  for (const [url, requestObject] of [
    ['/admin/app/ios/update', { id, bundle: 'b', keyId: 'K', teamId: 'T', privateKeyBase64: ' \n' }],
    ['/admin/app/android/update', { id, projectId: 'p', privateKeyBase64: '\t\r\n' }]
  ] as const) {
    const response = await call(app, 'PUT', url, { requestObject })
    t.equal(response.statusCode, 400, url)
    t.match(response.json().responseObject, { code: 'ERROR_GENERIC', message: 'requestObject.privateKeyBase64 decodes to nothing' }, url)
  }
  t.equal((await storedCredentials(app, id)).credentials_version, 0, 'nothing stored')
})

import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount, storedCredentials } from './fixtures.js'

const apns = { bundle: 'some.bundle.id', teamId: 'TEAMID123456' }

// Every credential route, by `id` and by `appId`, on the second of two applications: the first
// (created first, so the lower id) keeps its credentials byte for byte.
t.test('a credential update or removal naming one application changes that application only', async (t) => {
  const { app } = await buildApp(t)
  const first = await createApp(t, app, 'first')
  const second = await createApp(t, app, 'second')
  const fcmKey = base64(JSON.stringify(serviceAccount()))
  for (const [url, requestObject] of [
    ['/admin/app/ios/update', { id: first, ...apns, keyId: 'FIRSTKEY', privateKeyBase64: base64(ecKeyPem()) }],
    ['/admin/app/android/update', { id: first, projectId: 'first-project', privateKeyBase64: fcmKey }]
  ] as const) t.equal((await call(app, 'PUT', url, { requestObject })).statusCode, 200, url)
  const kept = await storedCredentials(app, first)
  t.match(kept, { apns_key_id: 'FIRSTKEY', fcm_project_id: 'first-project', credentials_version: 2 })

  const unchanged = async (what: string) => { t.same(await storedCredentials(app, first), kept, `${what}: the first application is untouched`) }
  const updates = [
    ['PUT', '/admin/app/ios/update', { appId: 'second', ...apns, keyId: 'SECONDKEY1', privateKeyBase64: base64(ecKeyPem()) }, { apns_key_id: 'SECONDKEY1' }],
    ['PUT', '/admin/app/android/update', { id: second, projectId: 'second-project-1', privateKeyBase64: fcmKey }, { fcm_project_id: 'second-project-1' }],
    ['POST', '/admin/app/apns', { appId: 'second', ...apns, keyId: 'SECONDKEY2', environment: 'production', privateKeyBase64: base64(ecKeyPem()) }, { apns_key_id: 'SECONDKEY2' }],
    ['PUT', '/admin/app/fcm', { appId: 'second', projectId: 'second-project-2', privateKeyBase64: fcmKey }, { fcm_project_id: 'second-project-2' }]
  ] as const
  for (const [method, url, requestObject, stored] of updates) {
    const response = await call(app, method, url, { requestObject })
    t.equal(response.statusCode, 200, `${method} ${url}: ${response.body}`)
    t.match(await storedCredentials(app, second), stored, `${method} ${url}: the second application's credentials`)
    await unchanged(`${method} ${url}`)
  }
  t.equal((await storedCredentials(app, second)).credentials_version, 4)

  const removals = [
    ['POST', '/admin/app/ios/remove', { appId: 'second' }, { apns_key_id: null, apns_private_key: null }],
    ['POST', '/admin/app/android/remove', { id: second }, { fcm_project_id: null, fcm_service_account: null }]
  ] as const
  for (const [method, url, requestObject, stored] of removals) {
    t.equal((await call(app, method, url, { requestObject })).statusCode, 200, url)
    t.match(await storedCredentials(app, second), stored, `${url}: the second application's credentials are gone`)
    await unchanged(url)
  }
  // The newer routes remove by query string: set the second's again, then remove them that way.
  for (const [method, url, requestObject] of updates.slice(2)) t.equal((await call(app, method, url, { requestObject })).statusCode, 200)
  for (const provider of ['apns', 'fcm']) {
    t.equal((await call(app, 'DELETE', `/admin/app/${provider}?appId=second`)).statusCode, 200, `DELETE ${provider}`)
    await unchanged(`DELETE /admin/app/${provider}`)
  }
  t.match(await storedCredentials(app, second), { apns_private_key: null, fcm_service_account: null, credentials_version: 10 })
  const list = (await call(app, 'GET', '/admin/app/list')).json().responseObject.applicationList
  t.same(list.map((entry: { appId: string, ios: boolean, android: boolean }) => [entry.appId, entry.ios, entry.android]),
    [['first', true, true], ['second', false, false]])
})

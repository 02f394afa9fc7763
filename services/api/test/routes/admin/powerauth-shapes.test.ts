// The admin API as each PowerAuth client version calls it: 1.0 names an application by Beacon's
// internal `id` (a Long), 1.3 and later by the PowerAuth `appId` (a String, "mobile-app"); the
// newest asks for `includeApns`/`includeFcm` and uses /admin/app/apns|fcm.
import t from 'tap'
import { startPowerAuthMock } from '@beacon/testkit'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount, storedCredentials } from './fixtures.js'

const ios = { bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456' }

// guarantee: app-id-text-admin
t.test('a text appId (PowerAuth 1.3+): create, list, detail, update and remove by appId with the client\'s methods', async (t) => {
  const { app } = await buildApp(t)
  const created = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'mobile-app' } })
  t.equal(created.statusCode, 200)
  const { id, appId } = created.json().responseObject
  t.equal(appId, 'mobile-app', 'CreateApplicationResponse.appId (1.3+)')
  t.type(id, 'number', 'CreateApplicationResponse.id (1.0)')

  // ios/update: PUT (the client) and POST (the controller takes both); the 1.3 environment field.
  for (const method of ['PUT', 'POST'] as const) {
    const response = await call(app, method, '/admin/app/ios/update', {
      requestObject: { appId: 'mobile-app', ...ios, environment: 'production', privateKeyBase64: base64(ecKeyPem()) }
    })
    t.equal(response.statusCode, 200, `${method} ios/update by appId`)
  }
  const android = await call(app, 'PUT', '/admin/app/android/update', {
    requestObject: { appId: 'mobile-app', projectId: 'p1', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }
  })
  t.equal(android.statusCode, 200)
  t.match(await storedCredentials(app, id), { apns_bundle: 'some.bundle.id', apns_environment: 'PRODUCTION', fcm_project_id: 'p1', credentials_version: 3 })

  const application = { id, appId: 'mobile-app', appName: 'mobile-app', ios: true, android: true, apns: true, fcm: true }
  t.same((await call(app, 'GET', '/admin/app/list')).json().responseObject.applicationList, [application])

  const older = await call(app, 'POST', '/admin/app/detail', { requestObject: { appId: 'mobile-app', includeIos: true, includeAndroid: true } })
  t.same(older.json().responseObject, {
    application, iosBundle: 'some.bundle.id', iosKeyId: 'KEYID123456', iosTeamId: 'TEAMID123456', iosEnvironment: 'production', androidProjectId: 'p1'
  }, 'includeIos/includeAndroid: the ios*/android* names (1.3 to 1.9)')
  const newer = await call(app, 'POST', '/admin/app/detail', { requestObject: { appId: 'mobile-app', includeApns: true, includeFcm: true, includeHms: false } })
  t.same(newer.json().responseObject, {
    application, apnsBundle: 'some.bundle.id', apnsKeyId: 'KEYID123456', apnsTeamId: 'TEAMID123456', apnsEnvironment: 'production', fcmProjectId: 'p1'
  }, 'includeApns/includeFcm: the apns*/fcm* names (newest)')

  // The Java client removes with POST; the controller takes DELETE too.
  t.equal((await call(app, 'POST', '/admin/app/ios/remove', { requestObject: { appId: 'mobile-app' } })).statusCode, 200)
  t.match(await storedCredentials(app, id), { apns_bundle: null, apns_private_key: null, fcm_project_id: 'p1' })
  t.equal((await call(app, 'DELETE', '/admin/app/android/remove', { requestObject: { appId: 'mobile-app' } })).statusCode, 200)
  t.match(await storedCredentials(app, id), { fcm_project_id: null, fcm_service_account: null, credentials_version: 5 })
})

// guarantee: app-id-numeric-answers
t.test('the 1.0 shape still works next to it: numeric id, POST remove, and numeric appIds answered as numbers', async (t) => {
  const { app } = await buildApp(t)
  const created = (await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 7 } })).json().responseObject
  t.same(created, { id: created.id, appId: 7 })
  const zeroPadded = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: '07' } })
  t.equal(zeroPadded.statusCode, 400, '"07" is refused: a 1.0 client\'s Long would read it as the application 7')
  const other = (await call(app, 'POST', '/admin/app/create', { requestObject: { appId: '7-beta' } })).json().responseObject
  t.same(other, { id: other.id, appId: '7-beta' }, 'a text id next to it: another application, answered as text')
  const duplicate = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: '7' } })
  t.equal(duplicate.json().responseObject.message, 'Application with appId 7 already exists', '"7" and 7 are one application')

  const update = await call(app, 'POST', '/admin/app/android/update', {
    requestObject: { id: created.id, projectId: 'p7', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }
  })
  t.equal(update.statusCode, 200, 'POST android/update by id')
  for (const ref of [{ id: created.id }, { appId: 7 }, { appId: '7' }]) {
    const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { ...ref, includeAndroid: true } })
    t.same(detail.json().responseObject, {
      application: { id: created.id, appId: 7, appName: '7', ios: false, android: true, apns: false, fcm: true }, androidProjectId: 'p7'
    }, `detail by ${JSON.stringify(ref)}`)
  }
  t.equal((await call(app, 'POST', '/admin/app/android/remove', { requestObject: { id: created.id } })).statusCode, 200, 'POST android/remove by id')
  t.equal((await storedCredentials(app, created.id)).fcm_project_id, null)
  t.match((await storedCredentials(app, other.id)), { credentials_version: 0 }, 'application "7-beta" untouched')
})

t.test('/admin/app/apns|fcm by a text appId: PUT/POST update, DELETE ?appId= (URL-encoded)', async (t) => {
  const { app } = await buildApp(t)
  const { id } = (await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'bank app/ü' } })).json().responseObject
  t.equal((await call(app, 'PUT', '/admin/app/apns', { requestObject: { appId: 'bank app/ü', ...ios, privateKeyBase64: base64(ecKeyPem()) } })).statusCode, 200)
  t.equal((await call(app, 'POST', '/admin/app/fcm', {
    requestObject: { appId: 'bank app/ü', projectId: 'p2', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }
  })).statusCode, 200)
  t.match(await storedCredentials(app, id), { apns_bundle: 'some.bundle.id', fcm_project_id: 'p2' })
  const query = `?appId=${encodeURIComponent('bank app/ü')}`
  t.equal((await call(app, 'DELETE', `/admin/app/apns${query}`)).statusCode, 200)
  t.equal((await call(app, 'DELETE', `/admin/app/fcm${query}`)).statusCode, 200)
  t.match(await storedCredentials(app, id), { apns_bundle: null, fcm_project_id: null })
})

t.test('unconfigured list from a PowerAuth server of text ids: appId set, id only when numeric', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  mock.applications = [{ applicationId: 'mobile-app' }, { applicationId: '12' }, { applicationId: 'taken' }]
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url })
  await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'taken' } })
  const response = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.same(response.json().responseObject.applicationList, [
    { id: null, appId: 'mobile-app', appName: 'mobile-app', ios: null, android: null },
    { id: 12, appId: 12, appName: '12', ios: null, android: null }
  ])
})

// Naming two applications at once (a 1.0 id and a 1.3+ appId, of different applications) must not
// store keys on either: whichever one was picked could be the wrong one.
t.test('ios/update and android/update naming an application both by id and by appId are refused, nothing stored', async (t) => {
  const { app } = await buildApp(t)
  const first = await createApp(t, app, 'first-app')
  const second = await createApp(t, app, 'second-app')
  for (const [url, settings] of [
    ['/admin/app/ios/update', { bundle: 'b', keyId: 'K', teamId: 'T', privateKeyBase64: base64(ecKeyPem()) }],
    ['/admin/app/android/update', { projectId: 'p', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }]
  ] as const) {
    const response = await call(app, 'PUT', url, { requestObject: { id: first, appId: 'second-app', ...settings } })
    t.equal(response.statusCode, 400, url)
    t.equal(response.json().responseObject.message, 'requestObject must name the application by appId or by id, not both', url)
  }
  for (const id of [first, second]) t.equal((await storedCredentials(app, id)).credentials_version, 0, `nothing stored on application ${id}`)
})

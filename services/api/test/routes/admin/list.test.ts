import { startPowerAuthMock } from '@beacon/testkit'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount } from './fixtures.js'

t.test('GET /admin/app/list shows every application and which providers it has', async (t) => {
  const { app } = await buildApp(t)
  const empty = await call(app, 'GET', '/admin/app/list')
  t.equal(empty.statusCode, 200)
  t.same(empty.json(), { status: 'OK', responseObject: { applicationList: [] } })

  const both = await createApp(t, app, 1, 'app1')
  const none = await createApp(t, app, 7)
  const ios = await call(app, 'PUT', '/admin/app/ios/update', {
    requestObject: { id: both, bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456', privateKeyBase64: base64(ecKeyPem()) }
  })
  t.equal(ios.statusCode, 200)
  const android = await call(app, 'PUT', '/admin/app/android/update', {
    requestObject: { id: both, projectId: 'PROJECTID123', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }
  })
  t.equal(android.statusCode, 200)

  const list = await call(app, 'GET', '/admin/app/list')
  t.equal(list.statusCode, 200)
  t.same(list.json(), {
    status: 'OK',
    responseObject: {
      applicationList: [
        { id: both, appId: 1, appName: 'app1', ios: true, android: true, apns: true, fcm: true },
        { id: none, appId: 7, appName: '7', ios: false, android: false, apns: false, fcm: false }
      ]
    }
  })
})

t.test('GET /admin/app/unconfigured/list offers PowerAuth applications not yet created', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  mock.applications = [{ id: 1, applicationName: 'app1' }, { id: 2, applicationName: 'app2' }, { id: 3, applicationName: 'app3' }]
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url })

  const before = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.equal(before.statusCode, 200)
  t.same(before.json().responseObject.applicationList.map((a: { id: number }) => a.id), [1, 2, 3])

  await createApp(t, app, 1, 'mine')
  await createApp(t, app, 3)
  const after = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.equal(after.statusCode, 200)
  t.same(after.json(), {
    status: 'OK',
    responseObject: { applicationList: [{ id: 2, appId: null, appName: 'app2', ios: null, android: null }] }
  }, 'shaped as the seed: PowerAuth id in id, the rest null')
  t.ok(mock.requests.every((r) => r.path === '/rest/v3/application/list'), 'only the application list was asked for')
})

t.test('unconfigured list: every PowerAuth application already created gives an empty list', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  mock.applications = [{ id: 5, applicationName: 'five' }]
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url })
  await createApp(t, app, 5)
  const response = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.same(response.json(), { status: 'OK', responseObject: { applicationList: [] } })
})

t.test('unconfigured list without a PowerAuth server is empty', async (t) => {
  const { app } = await buildApp(t)
  await createApp(t, app, 1)
  const response = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK', responseObject: { applicationList: [] } })
})

t.test('unconfigured list with PowerAuth failing answers 400 ERROR_PA_SERVER_COMM', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close()) // closing twice is harmless; this covers an early failure
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url, POWERAUTH_TIMEOUT_MS: '300' })
  for (const failure of ['error', 'garbage', 'hang'] as const) {
    mock.failure = failure
    const response = await call(app, 'GET', '/admin/app/unconfigured/list')
    t.equal(response.statusCode, 400, `PowerAuth ${failure}`)
    t.equal(response.json().responseObject.code, 'ERROR_PA_SERVER_COMM', `PowerAuth ${failure}`)
  }
  await mock.close()
  const down = await call(app, 'GET', '/admin/app/unconfigured/list')
  t.equal(down.statusCode, 400, 'PowerAuth down')
  t.same(down.json().responseObject.code, 'ERROR_PA_SERVER_COMM')
  t.match(down.json().responseObject.message, /unreachable/)
})

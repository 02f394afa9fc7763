import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApp } from './fixtures.js'

const REFUSAL = { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'Huawei (HMS) is not supported: Beacon sends through APNs and FCM only' } }

// guarantee: huawei-refused
t.test('PowerAuth 1.9\'s Huawei endpoints: an update is refused with the reason and nothing stored, a removal is OK, a Huawei device is refused', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 'mobile-app', 'huawei')
  const before = (await app.db.pool.query('SELECT * FROM application WHERE id = $1', [id])).rows

  for (const method of ['POST', 'PUT'] as const) {
    const update = await call(app, method, '/admin/app/huawei/update', { requestObject: { appId: 'mobile-app', projectId: '736430079244623135', clientId: '108012345', clientSecret: 'huawei-client-secret-0123456789' } })
    t.equal(update.statusCode, 400, `${method} update`)
    t.same(update.json(), REFUSAL, 'the exact body: PushServerClient\'s strict error parser reads it whole')
    t.notMatch(update.body, 'huawei-client-secret', 'the secret is not echoed')
  }
  t.same((await app.db.pool.query('SELECT * FROM application WHERE id = $1', [id])).rows, before, 'nothing stored')

  for (const method of ['POST', 'DELETE'] as const) {
    const removal = await call(app, method, '/admin/app/huawei/remove', { requestObject: { appId: 'mobile-app' } })
    t.equal(removal.statusCode, 200, `${method} remove`)
    t.same(removal.json(), { status: 'OK' })
  }
  const unknown = await call(app, 'POST', '/admin/app/huawei/remove', { requestObject: { appId: 'no-such-app' } })
  t.equal(unknown.statusCode, 400, 'an unknown application is still named as such')

  const device = await call(app, 'POST', '/push/device/create', { requestObject: { appId: 'mobile-app', token: 'hms-token', platform: 'huawei', activationId: '49414e31-f3df-4cea-87e6-f214ca3b8412', userId: 'u' } })
  t.equal(device.statusCode, 400, 'a Huawei device is refused')
  t.match(device.json(), { status: 'ERROR', responseObject: { message: /platform/ } })
  t.equal(await app.db.device.count(), 0)
})

// PowerAuth develop (1.10.0-SNAPSHOT) moved Huawei to /admin/app/hms, removal by `DELETE ?appId=` as for APNs and FCM.
// guarantee: huawei-refused
t.test('PowerAuth develop\'s HMS endpoints: an update is refused as Huawei\'s is and nothing stored, a removal is OK', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 'mobile-app', 'hms')
  const before = (await app.db.pool.query('SELECT * FROM application WHERE id = $1', [id])).rows

  for (const method of ['POST', 'PUT'] as const) {
    const update = await call(app, method, '/admin/app/hms', { requestObject: { appId: 'mobile-app', projectId: '736430079244623135', clientId: '108012345', clientSecret: 'huawei-client-secret-0123456789' } })
    t.equal(update.statusCode, 400, `${method} update`)
    t.same(update.json(), REFUSAL, 'the exact body: PushServerClient\'s strict error parser reads it whole')
    t.notMatch(update.body, 'huawei-client-secret', 'the secret is not echoed')
  }
  t.same((await app.db.pool.query('SELECT * FROM application WHERE id = $1', [id])).rows, before, 'nothing stored')
  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { appId: 'mobile-app', includeApns: true, includeFcm: true, includeHms: true } })
  t.equal(detail.statusCode, 200, 'a detail asked with includeHms')
  t.notOk('hmsProjectId' in detail.json().responseObject, 'without hmsProjectId (null to the client)')

  const removal = await call(app, 'DELETE', '/admin/app/hms?appId=mobile-app')
  t.equal(removal.statusCode, 200, 'DELETE ?appId=')
  t.same(removal.json(), { status: 'OK' })
  const unknown = await call(app, 'DELETE', '/admin/app/hms?appId=no-such-app')
  t.equal(unknown.statusCode, 400, 'an unknown application is still named as such')
})

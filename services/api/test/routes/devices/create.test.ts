import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, emptyDeviceCount, OK, storedDevices } from './fixtures.js'

const SEED_ACTIVATION = '49414e31-f3df-4cea-87e6-f214ca3b8412'

t.test('the seed example registers an iOS token for one activation', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const response = await call(app, 'POST', '/push/device/create', {
    requestObject: {
      appId: 2,
      token: '1234567890987654321234567890',
      platform: 'ios',
      activationId: '49414e31-f3df-4cea-87e6-f214ca3b8412'
    }
  })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.strictSame(await storedDevices(app), [{
    appId: 2,
    token: '1234567890987654321234567890',
    platform: 'APNS',
    environment: null,
    activations: [{ activationId: SEED_ACTIVATION, userId: null, activationStatus: 'ACTIVE' }]
  }])
})

t.test('without PowerAuth the caller states user, status and environment; appId may be a numeric string', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 7)
  const response = await call(app, 'POST', '/push/device/create', {
    requestObject: { appId: '7', token: 'fcm-token-1', platform: 'android', activationId: 'act-1', userId: 'alice', activationStatus: 'BLOCKED', environment: 'production' }
  })
  t.equal(response.statusCode, 200)
  t.strictSame(await storedDevices(app), [{
    appId: 7,
    token: 'fcm-token-1',
    platform: 'FCM',
    environment: 'PRODUCTION',
    activations: [{ activationId: 'act-1', userId: 'alice', activationStatus: 'BLOCKED' }]
  }])
})

t.test('platform and environment names map to the stored providers and APNs environments', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 3)
  const cases = [
    { platform: 'ios', environment: 'development', expected: ['APNS', 'SANDBOX'] },
    { platform: 'apns', environment: 'sandbox', expected: ['APNS', 'SANDBOX'] },
    { platform: 'apns', environment: 'production', expected: ['APNS', 'PRODUCTION'] },
    { platform: 'android', environment: undefined, expected: ['FCM', null] },
    { platform: 'fcm', environment: undefined, expected: ['FCM', null] }
  ]
  for (const [index, { platform, environment, expected }] of cases.entries()) {
    const token = `token-${index}`
    const response = await call(app, 'POST', '/push/device/create', {
      requestObject: { appId: 3, token, platform, activationId: `act-${index}`, ...(environment === undefined ? {} : { environment }) }
    })
    t.equal(response.statusCode, 200, `${platform}/${environment}`)
    const device = await app.db.device.findFirstOrThrow({ where: { pushToken: token } })
    t.same([device.platform, device.environment], expected, `${platform}/${environment} is stored as ${expected.join('/')}`)
  }
})

t.test('registering the same token again updates its row instead of adding one', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const body = (platform: string, environment?: string) => ({
    requestObject: { appId: 2, token: 'same-token', platform, activationId: 'act-1', ...(environment === undefined ? {} : { environment }) }
  })
  t.equal((await call(app, 'POST', '/push/device/create', body('ios', 'production'))).statusCode, 200)
  const first = await app.db.device.findFirstOrThrow()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal((await call(app, 'POST', '/push/device/create', body('fcm'))).statusCode, 200)
  const rows = await app.db.device.findMany()
  t.equal(rows.length, 1, 'still one device row')
  t.equal(rows[0]!.id, first.id, 'the same row')
  t.equal(rows[0]!.platform, 'FCM', 'platform updated')
  t.equal(rows[0]!.environment, null, 'environment follows the latest registration')
  t.ok(rows[0]!.lastRegisteredAt > first.lastRegisteredAt, 'lastRegisteredAt moved forward')
  t.equal(await app.db.deviceActivation.count(), 1, 'still one activation row')
})

t.test('a rotated token takes the activation over and the old token goes away', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const register = (token: string, activationId: string) => call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 2, token, platform: 'ios', activationId, userId: 'bob' }
  })
  t.equal((await register('old-token', 'act-1')).statusCode, 200)
  t.equal((await register('new-token', 'act-1')).statusCode, 200)
  t.strictSame(await storedDevices(app), [{
    appId: 2,
    token: 'new-token',
    platform: 'APNS',
    environment: null,
    activations: [{ activationId: 'act-1', userId: 'bob', activationStatus: 'ACTIVE' }]
  }])
  t.equal(await emptyDeviceCount(app), 0)
})

// The latest registration states who the activation is for: a device left under its previous user
// would get that user's messages, and the new user's would miss it.
t.test('an activation registered again, on the same token or a new one, takes the user and status given now', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const register = (token: string, userId: string, activationStatus: string) => call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 2, token, platform: 'ios', activationId: 'act-1', userId, activationStatus }
  })
  t.equal((await register('token', 'alice', 'ACTIVE')).statusCode, 200)
  t.equal((await register('token', 'bob', 'BLOCKED')).statusCode, 200)
  t.strictSame((await storedDevices(app)).map((d) => [d.token, d.activations]), [['token', [{ activationId: 'act-1', userId: 'bob', activationStatus: 'BLOCKED' }]]], 'the same token')
  t.equal((await register('new-token', 'carol', 'ACTIVE')).statusCode, 200)
  t.strictSame((await storedDevices(app)).map((d) => [d.token, d.activations]), [['new-token', [{ activationId: 'act-1', userId: 'carol', activationStatus: 'ACTIVE' }]]], 'a rotated token')
})

t.test('re-registering a token with another activation replaces its activation', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const register = (activationId: string) => call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 2, token: 'token', platform: 'ios', activationId }
  })
  t.equal((await register('act-1')).statusCode, 200)
  t.equal((await register('act-2')).statusCode, 200)
  const devices = await storedDevices(app)
  t.same(devices.map((d) => d.activations.map((a) => a.activationId)), [['act-2']])
})

t.test('the same token and activation in two applications are two registrations', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  await createApplication(app, 5)
  for (const appId of [2, 5]) {
    const response = await call(app, 'POST', '/push/device/create', {
      requestObject: { appId, token: 'shared', platform: 'ios', activationId: 'act-1' }
    })
    t.equal(response.statusCode, 200)
  }
  t.same((await storedDevices(app)).map((d) => [d.appId, d.token, d.activations.length]), [[2, 'shared', 1], [5, 'shared', 1]])
})

import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, emptyDeviceCount, OK, storedDevices } from './fixtures.js'

const registerMulti = (app: FastifyInstance, token: string, activationIds: string[], extra: Record<string, unknown> = {}) =>
  call(app, 'POST', '/push/device/create/multi', {
    requestObject: { appId: 2, token, platform: 'android', activationIds, ...extra }
  })

const activationsByToken = async (app: FastifyInstance) =>
  (await storedDevices(app)).map((d) => [d.token, d.activations.map((a) => a.activationId)])

t.test('the seed example binds one token to two activations', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const response = await call(app, 'POST', '/push/device/create/multi', {
    requestObject: {
      appId: 2,
      token: '1234567890987654321234567890',
      platform: 'ios',
      activationIds: [
        '49414e31-f3df-4cea-87e6-f214ca3b8412',
        '26c94bf8-f594-4bd8-9c51-93449926b644'
      ]
    }
  })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.strictSame(await storedDevices(app), [{
    appId: 2,
    token: '1234567890987654321234567890',
    platform: 'APNS',
    environment: null,
    activations: [
      { activationId: '26c94bf8-f594-4bd8-9c51-93449926b644', userId: null, activationStatus: 'ACTIVE' },
      { activationId: '49414e31-f3df-4cea-87e6-f214ca3b8412', userId: null, activationStatus: 'ACTIVE' }
    ]
  }])
})

t.test('re-registering with a smaller set drops the activations left out', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  t.equal((await registerMulti(app, 'token', ['a', 'b', 'c'], { userId: 'carol' })).statusCode, 200)
  t.same(await activationsByToken(app), [['token', ['a', 'b', 'c']]])
  t.equal((await registerMulti(app, 'token', ['c', 'a'], { userId: 'carol', activationStatus: 'PENDING_COMMIT' })).statusCode, 200)
  t.strictSame(await storedDevices(app), [{
    appId: 2,
    token: 'token',
    platform: 'FCM',
    environment: null,
    activations: [
      { activationId: 'a', userId: 'carol', activationStatus: 'PENDING_COMMIT' },
      { activationId: 'c', userId: 'carol', activationStatus: 'PENDING_COMMIT' }
    ]
  }])
  t.equal(await app.db.deviceActivation.count(), 2, 'the dropped activation row is gone')
})

t.test('a repeated activation id counts once', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const response = await registerMulti(app, 'token', ['a', 'b', 'a'])
  t.equal(response.statusCode, 200)
  t.same(await activationsByToken(app), [['token', ['a', 'b']]])
})

t.test('activations taken from other tokens move; a token keeps those not taken', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  t.equal((await registerMulti(app, 'first', ['a', 'b'])).statusCode, 200)
  t.equal((await registerMulti(app, 'second', ['c'])).statusCode, 200)
  t.equal((await registerMulti(app, 'third', ['b', 'c'])).statusCode, 200)
  t.same(await activationsByToken(app), [['first', ['a']], ['third', ['b', 'c']]],
    '"second" lost its only activation and was deleted; "first" kept "a"')
  t.equal(await emptyDeviceCount(app), 0)
})

t.test('create and create/multi manage the same registrations', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  t.equal((await registerMulti(app, 'token', ['a', 'b'])).statusCode, 200)
  const single = await call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 2, token: 'token', platform: 'android', activationId: 'b' }
  })
  t.equal(single.statusCode, 200)
  t.same(await activationsByToken(app), [['token', ['b']]], 'a single create leaves exactly its activation')
})

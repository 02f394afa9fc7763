import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, OK, storedDevices } from './fixtures.js'

async function setUp (t: Test) {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  await createApplication(app, 3)
  const register = async (appId: number, token: string, activationIds: string[]) => {
    const response = await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId, token, platform: 'ios', activationIds } })
    t.equal(response.statusCode, 200, `registered ${token} in ${appId}`)
  }
  await register(2, '12456789098321234567890', ['a', 'b'])
  await register(2, 'other-token', ['c'])
  await register(3, '12456789098321234567890', ['a'])
  return app
}

const tokens = async (app: FastifyInstance) => (await storedDevices(app)).map((d) => `${d.appId}:${d.token}`)

t.test('the seed example removes the token of that application, with its activations', async (t) => {
  const app = await setUp(t)
  const response = await call(app, 'DELETE', '/push/device/remove', {
    requestObject: {
      appId: 2,
      token: '12456789098321234567890'
    }
  })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.same(await tokens(app), ['2:other-token', '3:12456789098321234567890'], 'other tokens and applications untouched')
  t.equal(await app.db.deviceActivation.count({ where: { applicationId: (await app.db.application.findUniqueOrThrow({ where: { appId: '2' } })).id, activationId: { in: ['a', 'b'] } } }), 0,
    'the activations of the removed token are gone')
  t.equal(await app.db.deviceActivation.count(), 2, 'c in app 2 and a in app 3 remain')
})

t.test('POST and DELETE /push/device/delete are aliases of remove', async (t) => {
  const app = await setUp(t)
  const post = await call(app, 'POST', '/push/device/delete', { requestObject: { appId: '2', token: 'other-token' } })
  t.equal(post.statusCode, 200)
  t.same(post.json(), OK)
  t.same(await tokens(app), ['2:12456789098321234567890', '3:12456789098321234567890'])
  const del = await call(app, 'DELETE', '/push/device/delete', { requestObject: { appId: 3, token: '12456789098321234567890' } })
  t.equal(del.statusCode, 200)
  t.same(await tokens(app), ['2:12456789098321234567890'])
})

t.test('removing a token that is not registered is OK and changes nothing', async (t) => {
  const app = await setUp(t)
  const before = await storedDevices(app)
  const response = await call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token: 'never-registered' } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.strictSame(await storedDevices(app), before)
  const twice = await call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token: 'other-token' } })
  const again = await call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token: 'other-token' } })
  t.same([twice.statusCode, again.statusCode], [200, 200], 'removing twice is OK both times')
  t.same(await tokens(app), ['2:12456789098321234567890', '3:12456789098321234567890'])
})

// guarantee: idempotent-device-removal
t.test('removing a token of an application that does not exist is OK too, as in PowerAuth', async (t) => {
  const app = await setUp(t)
  const before = await storedDevices(app)
  for (const [method, url] of [['DELETE', '/push/device/remove'], ['POST', '/push/device/delete'], ['DELETE', '/push/device/delete']] as const) {
    const response = await call(app, method, url, { requestObject: { appId: 99, token: '12456789098321234567890' } })
    t.equal(response.statusCode, 200, `${method} ${url}`)
    t.same(response.json(), OK)
  }
  t.strictSame(await storedDevices(app), before, 'the same token in the other applications stays')
})

t.test('GET on the remove endpoints is a 405 naming the methods they take', async (t) => {
  const app = await setUp(t)
  const remove = await call(app, 'GET', '/push/device/remove')
  t.equal(remove.statusCode, 405)
  t.equal(remove.headers.allow, 'DELETE')
  t.equal(remove.json().responseObject.code, 'ERROR_REQUEST')
  const alias = await call(app, 'GET', '/push/device/delete')
  t.equal(alias.statusCode, 405)
  t.equal(alias.headers.allow, 'DELETE, POST')
  t.equal((await storedDevices(app)).length, 3)
})

t.test('a token longer than registrations now take (512), stored before, can still be removed', async (t) => {
  const { app } = await buildApp(t)
  const application = await createApplication(app, 2)
  const token = 'a'.repeat(2000)
  await app.db.device.create({ data: { applicationId: application.id, pushToken: token, platform: 'APNS' } })
  const response = await call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token } })
  t.equal(response.statusCode, 200, response.body)
  t.equal(await app.db.device.count(), 0)
})

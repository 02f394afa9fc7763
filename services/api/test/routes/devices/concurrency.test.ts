import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, emptyDeviceCount, storedDevices } from './fixtures.js'

// Requests go out together; app.inject runs them concurrently against the real pool and database.
const ROUNDS = 5

t.test('simultaneous creates of one token all succeed and leave one row', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  for (let round = 0; round < ROUNDS; round++) {
    const token = `token-${round}`
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => call(app, 'POST', '/push/device/create', {
      requestObject: { appId: 2, token, platform: i % 2 === 0 ? 'ios' : 'android', activationId: `act-${round}` }
    })))
    t.same(responses.map((r) => r.statusCode), Array(8).fill(200), `round ${round}: every request answered 200`)
    t.equal(await app.db.device.count({ where: { pushToken: token } }), 1, `round ${round}: one device row`)
  }
  t.equal(await app.db.deviceActivation.count(), ROUNDS)
})

t.test('simultaneous creates of one token with different activations leave exactly one of them', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const responses = await Promise.all(ids.map((activationId) => call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 2, token: 'token', platform: 'ios', activationId }
  })))
  t.same(responses.map((r) => r.statusCode), Array(ids.length).fill(200))
  const devices = await storedDevices(app)
  t.equal(devices.length, 1)
  t.equal(devices[0]?.activations.length, 1, 'the last registration wins, alone')
})

t.test('racing token rotations of one activation end with one token holding it', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  for (let round = 0; round < ROUNDS; round++) {
    const activationId = `act-${round}`
    const tokens = ['old', 'new', 'newer', 'old', 'new'].map((name) => `${name}-${round}`)
    const responses = await Promise.all(tokens.map((token) => call(app, 'POST', '/push/device/create', {
      requestObject: { appId: 2, token, platform: 'ios', activationId }
    })))
    t.same(responses.map((r) => r.statusCode), Array(tokens.length).fill(200), `round ${round}: every request answered 200`)
    const holders = await app.db.deviceActivation.count({ where: { activationId } })
    t.equal(holders, 1, `round ${round}: the activation is on exactly one token`)
  }
  t.equal(await emptyDeviceCount(app), 0, 'no token left without activations')
  t.equal(await app.db.device.count(), ROUNDS, 'one token per activation')
})

t.test('overlapping multi registrations in opposite orders neither fail nor leave orphans', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  for (let round = 0; round < ROUNDS; round++) {
    const ids = [`x-${round}`, `y-${round}`, `z-${round}`]
    const requests = [
      { token: `one-${round}`, activationIds: ids },
      { token: `two-${round}`, activationIds: [...ids].reverse() },
      { token: `three-${round}`, activationIds: [ids[1]!, ids[2]!] },
      { token: `one-${round}`, activationIds: [ids[0]!] }
    ]
    const responses = await Promise.all(requests.map(({ token, activationIds }) => call(app, 'POST', '/push/device/create/multi', {
      requestObject: { appId: 2, token, platform: 'fcm', activationIds }
    })))
    t.same(responses.map((r) => r.statusCode), Array(requests.length).fill(200), `round ${round}: every request answered 200`)
    for (const activationId of ids) {
      t.ok(await app.db.deviceActivation.count({ where: { activationId } }) <= 1, `round ${round}: ${activationId} on at most one token`)
    }
  }
  t.equal(await emptyDeviceCount(app), 0, 'no token left without activations')
})

t.test('status updates racing registrations of the same activation answer 200', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const responses = await Promise.all([
    call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token: 'a', platform: 'ios', activationId: 'act' } }),
    call(app, 'POST', '/push/device/status/update', { activationId: 'act', activationStatus: 'REMOVED' }),
    call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token: 'b', platform: 'ios', activationId: 'act' } }),
    call(app, 'POST', '/push/device/status/update', { activationId: 'act', activationStatus: 'BLOCKED' }),
    call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token: 'a' } })
  ])
  t.same(responses.map((r) => r.statusCode), [200, 200, 200, 200, 200])
  t.ok(await app.db.deviceActivation.count({ where: { activationId: 'act' } }) <= 1)
  t.equal(await emptyDeviceCount(app), 0)
})

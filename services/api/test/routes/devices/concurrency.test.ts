import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { holdRows, lockWaits } from '../../lock-waits.js'
import { until } from '../in-app/helper.js'
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

// The interleaving of a deadlock, forced: a third transaction holds the activation's row while a
// rotation (token a's activation to token b) and a removal of token a queue behind it, in that
// order. Once it lets go, the rotation takes the row, then wants token a's; a removal that had
// locked token a's row first, waiting for the activation's, closed the cycle and was failed (503).
// guarantee: device-writes-race-free
t.test('a removal racing a token rotation of its activation answers 200', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const register = (token: string) => call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token, platform: 'ios', activationId: 'act' } })
  // Token a holds a second activation, so the rotation leaves it to the removal.
  t.equal((await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'a', platform: 'ios', activationIds: ['act', 'kept'] } })).statusCode, 200)
  const waiting = async () => (await lockWaits(app)).length
  const holder = await holdRows(t, app, "SELECT 1 FROM device_activation WHERE activation_id = 'act' FOR UPDATE")
  const rotation = register('b')
  await until(async () => await waiting() === 1, 'the rotation waits for the activation')
  const removal = call(app, 'DELETE', '/push/device/remove', { requestObject: { appId: 2, token: 'a' } })
  await until(async () => await waiting() === 2, 'the removal waits too')
  // Queued behind the activation's lock, as a registration would be, not holding token a's row.
  t.equal((await lockWaits(app))[1], 'advisory', 'the removal waits for the activation, holding nothing the rotation needs')
  await holder.release()
  const [rotated, removed] = await Promise.all([rotation, removal])
  t.equal(rotated.statusCode, 200, 'the rotation')
  t.equal(removed.statusCode, 200, removed.body)
  t.same(await storedDevices(app), [{ appId: 2, token: 'b', platform: 'APNS', environment: null, activations: [{ activationId: 'act', userId: null, activationStatus: 'ACTIVE' }] }],
    'the activation on token b, token a gone with its other activation')
})

// PowerAuth's commonest race, forced: an app re-registers its token with a new activation while
// the old activation is reported REMOVED. The holder keeps token a's row until both queue behind
// it, the registration first; once it lets go, the registration takes the row, then wants the old
// activation's to delete it, which the status update had taken before it wanted token a's row to
// delete the token left empty: a deadlock, before the registration locked the token's activations too.
// guarantee: device-writes-race-free
t.test('a re-registration with a new activation racing the REMOVED status of the old one answers 200', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const register = (activationId: string) => call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token: 'a', platform: 'ios', activationId } })
  t.equal((await register('old')).statusCode, 200)
  const holder = await holdRows(t, app, "SELECT 1 FROM device WHERE push_token = 'a' FOR UPDATE")
  const registration = register('new')
  await until(async () => (await lockWaits(app)).length === 1, 'the registration waits for the token')
  const removal = call(app, 'POST', '/push/device/status/update', { activationId: 'old', activationStatus: 'REMOVED' })
  await until(async () => (await lockWaits(app)).length === 2, 'the status update waits too')
  t.equal((await lockWaits(app))[1], 'advisory', 'the status update waits for the old activation, holding nothing the registration needs')
  await holder.release()
  const [registered, removed] = await Promise.all([registration, removal])
  t.equal(registered.statusCode, 200, registered.body)
  t.equal(removed.statusCode, 200, removed.body)
  t.same(await storedDevices(app), [{ appId: 2, token: 'a', platform: 'APNS', environment: null, activations: [{ activationId: 'new', userId: null, activationStatus: 'ACTIVE' }] }],
    'token a with the new activation only')
})

import { randomBytes } from 'node:crypto'
import type { RegisteredDevice } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { maskToken } from '../../../src/domain/console/devices.js'
import { buildApp, call } from '../../helper.js'
import { allPages, consoleCall, expectBadRequest } from './fixtures.js'

const token = () => randomBytes(32).toString('hex')

/** Registers through the PowerAuth API, as a mobile app's backend does. */
async function register (t: Parameters<typeof buildApp>[0], app: FastifyInstance, requestObject: Record<string, unknown>) {
  const multi = 'activationIds' in requestObject
  const response = await call(app, 'POST', `/push/device/create${multi ? '/multi' : ''}`, { requestObject: { platform: 'ios', activationStatus: 'ACTIVE', ...requestObject } })
  t.equal(response.statusCode, 200, response.body)
}

// Application 2: alice's six single registrations and one token with two activations, bob's one;
// application 3: alice too, and an activation id that application 2 also has.
async function setUp (t: Parameters<typeof buildApp>[0]) {
  const { app } = await buildApp(t)
  for (const appId of ['2', '3']) await app.db.application.create({ data: { appId, name: `app ${appId}` } })
  const tokens: Record<string, string> = {}
  for (let i = 0; i < 6; i++) {
    tokens[`a-${i}`] = token()
    await register(t, app, { appId: 2, userId: 'alice', activationId: `a-${i}`, token: tokens[`a-${i}`], ...(i === 0 ? { environment: 'development' } : i === 1 ? { environment: 'production' } : {}) })
  }
  tokens.multi = token()
  await register(t, app, { appId: 2, userId: 'alice', activationIds: ['m-1', 'm-2'], token: tokens.multi, platform: 'android' })
  await register(t, app, { appId: 2, userId: 'bob', activationId: 'shared', token: tokens.shared2 = token() })
  await register(t, app, { appId: 3, userId: 'alice', activationId: 'other-app', token: token() })
  await register(t, app, { appId: 3, userId: 'carol', activationId: 'shared', token: tokens.shared3 = token() })
  return { app, tokens }
}

// guarantee: console-keyset-pages, console-reads-scoped, console-push-token-masked
t.test('a user\'s devices in one application, newest first, across pages: none twice, none missing, none of another application', async (t) => {
  const { app, tokens } = await setUp(t)
  const pages = await allPages<RegisteredDevice>(t, app, 'device/search', 'deviceList', { appId: 2, userId: 'alice' }, 3)
  t.same(pages.map((page) => page.length), [3, 3, 2], 'eight registrations, three a page, the last page short')
  const found = pages.flat()
  // create/multi stores its activations in the order given: m-2 is the newest row.
  t.same(found.map((d) => d.activationId), ['m-2', 'm-1', 'a-5', 'a-4', 'a-3', 'a-2', 'a-1', 'a-0'])
  t.ok(found.every((d) => d.userId === 'alice' && d.activationStatus === 'ACTIVE'))

  const [m2, m1] = found
  t.equal(m2!.deviceId, m1!.deviceId, 'one device, one entry per activation')
  t.match(m2, { platform: 'fcm', environment: null, pushTokenMasked: maskToken(tokens.multi!) })
  const a0 = found.at(-1)!
  t.match(a0, { platform: 'apns', environment: 'sandbox', pushTokenMasked: `${tokens['a-0']!.slice(0, 6)}…${tokens['a-0']!.slice(-4)}` })
  t.ok(Date.parse(a0.timestampCreated) <= Date.parse(a0.timestampLastRegistered))
  t.equal(found.at(-2)!.environment, 'production', 'a production registration (a-1) is shown as such')
  t.type(a0.timestampActivationUpdated, 'string')

  const body = JSON.stringify(found)
  t.notOk(Object.values(tokens).some((full) => body.includes(full)), 'no whole token in the answer')
})

// guarantee: console-reads-scoped
t.test('by activation id: only the named application\'s registration; both filters narrow together', async (t) => {
  const { app, tokens } = await setUp(t)
  const shared = (await consoleCall(app, 'device/search', { appId: 2, activationId: 'shared' })).json().responseObject
  t.same(shared.deviceList.map((d: RegisteredDevice) => [d.userId, d.pushTokenMasked]), [['bob', maskToken(tokens.shared2!)]])
  t.equal(shared.nextCursor, null)
  const other = (await consoleCall(app, 'device/search', { appId: 3, activationId: 'shared' })).json().responseObject
  t.same(other.deviceList.map((d: RegisteredDevice) => d.userId), ['carol'])

  const both = await consoleCall(app, 'device/search', { appId: 2, userId: 'alice', activationId: 'a-3' })
  t.same(both.json().responseObject.deviceList.map((d: RegisteredDevice) => d.activationId), ['a-3'])
  const mismatch = await consoleCall(app, 'device/search', { appId: 2, userId: 'alice', activationId: 'shared' })
  t.same(mismatch.json().responseObject, { deviceList: [], nextCursor: null }, 'bob\'s activation is not alice\'s')
  const elsewhere = await consoleCall(app, 'device/search', { appId: 2, activationId: 'other-app' })
  t.same(elsewhere.json().responseObject.deviceList, [], 'application 3\'s activation is not found in application 2')
})

t.test('bad input: neither filter, an unknown application, a malformed one', async (t) => {
  const { app } = await setUp(t)
  await expectBadRequest(t, app, 'device/search', { appId: 2 }, /must name a userId or an activationId/)
  await expectBadRequest(t, app, 'device/search', { appId: 9, userId: 'alice' }, /Application with appId 9 does not exist/)
  await expectBadRequest(t, app, 'device/search', { userId: 'alice' }, /requestObject\.appId is required/)
  await expectBadRequest(t, app, 'device/search', { appId: 2, userId: '' }, /requestObject\.userId/)
  await expectBadRequest(t, app, 'device/search', { appId: 2, activationId: 'has space' }, /requestObject\.activationId/)
})

// guarantee: console-push-token-masked
t.test('a masked token shows at most a quarter of the token on each side', async (t) => {
  t.equal(maskToken('0123456789abcdef0123456789abcdef'), '012345…cdef')
  t.equal(maskToken('abcdefgh'), 'ab…gh')
  t.equal(maskToken('abc'), '…')
})

// guarantee: console-device-remove
t.test('remove by device id: the device and its activations go; another application\'s id removes nothing', async (t) => {
  const { app } = await setUp(t)
  const search = async (appId: number, activationId: string) =>
    (await consoleCall(app, 'device/search', { appId, activationId })).json().responseObject.deviceList as RegisteredDevice[]
  const [multi] = await search(2, 'm-1')
  const [foreign] = await search(3, 'shared')
  // Application 3's device, named with application 2: not found there, so not removed.
  const crossed = await consoleCall(app, 'device/remove', { appId: 2, deviceId: foreign!.deviceId })
  t.equal(crossed.statusCode, 200)
  t.same(crossed.json().responseObject, { removed: false })
  t.equal((await search(3, 'shared')).length, 1, 'the other application\'s device is still there')

  const removed = await consoleCall(app, 'device/remove', { appId: 2, deviceId: multi!.deviceId })
  t.same(removed.json().responseObject, { removed: true })
  t.same([...await search(2, 'm-1'), ...await search(2, 'm-2')], [], 'both activations of the device went with it')
  t.same((await consoleCall(app, 'device/remove', { appId: 2, deviceId: multi!.deviceId })).json().responseObject, { removed: false }, 'again: nothing left to remove')
  t.equal((await search(2, 'shared')).length, 1, 'the application\'s other devices stay')

  await expectBadRequest(t, app, 'device/remove', { appId: 2, deviceId: '1 OR 1=1' }, /requestObject\.deviceId/)
  await expectBadRequest(t, app, 'device/remove', { appId: 2 }, /deviceId/)
  await expectBadRequest(t, app, 'device/remove', { appId: 'nope', deviceId: '1' }, /Application with appId nope does not exist/)
})

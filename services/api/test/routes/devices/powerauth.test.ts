import { startPowerAuthMock, type PowerAuthFailure } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { buildApp, call } from '../../helper.js'
import { CONCURRENT_LOOKUPS, LOOKUP_DEADLINE_TIMEOUTS } from '../../../src/domain/devices/owners.js'
import { createApplication, OK, storedDevices } from './fixtures.js'

const paCredentials = { username: 'push-server', password: 'pa-secret-5678' }
const expectedAuthorization = `Basic ${Buffer.from('push-server:pa-secret-5678').toString('base64')}`

async function setUp (t: Test, mockCredentials = paCredentials) {
  const mock = await startPowerAuthMock(mockCredentials)
  t.teardown(() => mock.close())
  const { app } = await buildApp(t, {
    POWERAUTH_SERVICE_URL: mock.url,
    POWERAUTH_USERNAME: paCredentials.username,
    POWERAUTH_PASSWORD: paCredentials.password,
    POWERAUTH_TIMEOUT_MS: '300'
  })
  await createApplication(app, 2)
  return { app, mock }
}

const createBody = (activationId: string, extra: Record<string, unknown> = {}) =>
  ({ requestObject: { appId: 2, token: 'token', platform: 'ios', activationId, ...extra } })

t.test('create takes user and status from PowerAuth, not from the caller', async (t) => {
  const { app, mock } = await setUp(t)
  mock.activations.set('act-1', { activationStatus: 'PENDING_COMMIT', userId: 'eve' })
  const response = await call(app, 'POST', '/push/device/create', createBody('act-1', { userId: 'mallory', activationStatus: 'ACTIVE' }))
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.same((await storedDevices(app))[0]?.activations, [{ activationId: 'act-1', userId: 'eve', activationStatus: 'PENDING_COMMIT' }])
  t.same(mock.requests, [{
    path: '/rest/v3/activation/status',
    body: { requestObject: { activationId: 'act-1' } },
    authorization: expectedAuthorization
  }], 'one status call with the configured Basic credentials')
})

t.test('create/multi looks up every activation', async (t) => {
  const { app, mock } = await setUp(t)
  mock.activations.set('a', { activationStatus: 'ACTIVE', userId: 'frank' })
  mock.activations.set('b', { activationStatus: 'BLOCKED', userId: 'grace' })
  const response = await call(app, 'POST', '/push/device/create/multi', {
    requestObject: { appId: 2, token: 'token', platform: 'fcm', activationIds: ['a', 'b'] }
  })
  t.equal(response.statusCode, 200)
  t.same((await storedDevices(app))[0]?.activations, [
    { activationId: 'a', userId: 'frank', activationStatus: 'ACTIVE' },
    { activationId: 'b', userId: 'grace', activationStatus: 'BLOCKED' }
  ])
  t.same(mock.requests.map((r) => (r.body as { requestObject: { activationId: string } }).requestObject.activationId).sort(), ['a', 'b'])
})

t.test('the seed status update example takes the status and user from PowerAuth', async (t) => {
  const { app, mock } = await setUp(t)
  const activationId = '49414e31-f3df-4cea-87e6-f214ca3b8412'
  mock.activations.set(activationId, { activationStatus: 'ACTIVE', userId: 'heidi' })
  t.equal((await call(app, 'POST', '/push/device/create', createBody(activationId))).statusCode, 200)
  mock.activations.set(activationId, { activationStatus: 'BLOCKED', userId: 'heidi-2' })
  const response = await call(app, 'POST', '/push/device/status/update', {
    activationId: '49414e31-f3df-4cea-87e6-f214ca3b8412'
  })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.same((await storedDevices(app))[0]?.activations, [{ activationId, userId: 'heidi-2', activationStatus: 'BLOCKED' }])
  const ignored = await call(app, 'POST', '/push/device/status/update', { requestObject: { activationId, activationStatus: 'ACTIVE' } })
  t.equal(ignored.statusCode, 200)
  t.equal((await storedDevices(app))[0]?.activations[0]?.activationStatus, 'BLOCKED', "the caller's status yields to PowerAuth's")
})

t.test('an activation PowerAuth no longer knows is REMOVED: its registration goes', async (t) => {
  const { app, mock } = await setUp(t)
  mock.activations.set('act-1', { activationStatus: 'ACTIVE', userId: 'ivan' })
  t.equal((await call(app, 'POST', '/push/device/create', createBody('act-1'))).statusCode, 200)
  mock.activations.delete('act-1')
  const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'act-1' })
  t.equal(response.statusCode, 200)
  t.same(await storedDevices(app), [])
})

t.test('an unknown application is refused before PowerAuth is asked', async (t) => {
  const { app, mock } = await setUp(t)
  const response = await call(app, 'POST', '/push/device/create', { requestObject: { appId: 9, token: 't', platform: 'ios', activationId: 'a' } })
  t.equal(response.statusCode, 400)
  t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
  t.equal(mock.requests.length, 0)
})

function assertPowerAuthFailure (t: Test, response: Awaited<ReturnType<typeof call>>, label: string) {
  t.equal(response.statusCode, 400, `${label}: status`)
  const body = response.json()
  t.equal(body.status, 'ERROR', `${label}: envelope`)
  t.equal(body.responseObject.code, 'ERROR_PA_SERVER_COMM', `${label}: code`)
  t.notMatch(response.body, paCredentials.password, `${label}: no password in the answer`)
}

t.test('every PowerAuth failure is 400 ERROR_PA_SERVER_COMM and stores nothing', async (t) => {
  const { app, mock } = await setUp(t)
  mock.activations.set('registered', { activationStatus: 'ACTIVE', userId: 'judy' })
  t.equal((await call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token: 'kept', platform: 'ios', activationId: 'registered' } })).statusCode, 200)
  const before = await storedDevices(app)

  const attempts = async (label: string) => {
    assertPowerAuthFailure(t, await call(app, 'POST', '/push/device/create', createBody('new-act')), `${label} create`)
    assertPowerAuthFailure(t, await call(app, 'POST', '/push/device/create/multi', {
      requestObject: { appId: 2, token: 'kept', platform: 'ios', activationIds: ['registered', 'new-act'] }
    }), `${label} create/multi`)
    assertPowerAuthFailure(t, await call(app, 'POST', '/push/device/status/update', { activationId: 'registered' }), `${label} status/update`)
    t.strictSame(await storedDevices(app), before, `${label}: nothing changed`)
  }
  for (const failure of ['error', 'hang', 'garbage'] satisfies PowerAuthFailure[]) {
    mock.failure = failure
    await attempts(failure)
  }
  await mock.close()
  await attempts('closed')
})

t.test('PowerAuth refusing our credentials is a PowerAuth failure too', async (t) => {
  const { app, mock } = await setUp(t, { username: 'push-server', password: 'something-else' })
  const response = await call(app, 'POST', '/push/device/create', createBody('act-1'))
  assertPowerAuthFailure(t, response, 'wrong credentials')
  t.equal(mock.requests[0]?.authorization, expectedAuthorization)
  t.equal(await app.db.device.count(), 0)
})

// guarantee: powerauth-service-errors
t.test("PowerAuth's own error text reaches the log, never the client: our words, the call and the status", async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  const { app, logs } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url, POWERAUTH_TIMEOUT_MS: '300' }, { captureLogs: true })
  await createApplication(app, 2)
  const hostile = `<script>alert(document.cookie)</script> ${'A'.repeat(2048)} internal host db-7.corp:5432`
  mock.failure = 'error'
  mock.failureMessage = hostile
  const response = await call(app, 'POST', '/push/device/create', createBody('act-1'))
  t.equal(response.statusCode, 400)
  t.same(response.json(), {
    status: 'ERROR',
    responseObject: { code: 'ERROR_PA_SERVER_COMM', message: 'PowerAuth server refused /rest/v3/activation/status (HTTP 400)' }
  })
  t.notOk(response.body.includes('<script>') || response.body.includes('db-7.corp'), 'none of it in the answer')
  const line = logs().split('\n').find((entry) => entry.includes('PowerAuth server refused a call'))
  t.match(JSON.parse(line ?? '{}'), { level: 40, path: '/rest/v3/activation/status', status: 400, upstreamCode: 'ERR_GENERIC', upstreamMessage: hostile },
    'the whole text is in the log, with the call it answered')
})

t.test('create/multi asks PowerAuth about 8 activations at a time, and no more once one failed', async (t) => {
  const { app, mock } = await setUp(t)
  mock.failure = 'hang'
  const activationIds = Array.from({ length: 40 }, (_, i) => `act-${i}`)
  const response = await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'token', platform: 'fcm', activationIds } })
  t.not(response.statusCode, 200, 'PowerAuth did not answer in POWERAUTH_TIMEOUT_MS')
  t.equal(mock.requests.length, CONCURRENT_LOOKUPS, `${CONCURRENT_LOOKUPS} in flight, none after the first timed out`)
  t.equal(await app.db.device.count(), 0)
})

// Each answer well within its own timeout, but 100 activations take 13 rounds of 8: without a
// deadline over them all the request waited 13 × 250 ms here (13 timeouts of a server at its limit).
// guarantee: powerauth-lookup-deadline
t.test('create/multi: the look-ups of one request end within 2 × POWERAUTH_TIMEOUT_MS in all, however many rounds they take', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: mock.url, POWERAUTH_TIMEOUT_MS: '1000' })
  await createApplication(app, 2)
  mock.delayMs = 250
  const activationIds = Array.from({ length: 100 }, (_, i) => `act-${i}`)
  const response = await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'token', platform: 'fcm', activationIds } })
  t.equal(response.statusCode, 400)
  t.same(response.json().responseObject, { code: 'ERROR_PA_SERVER_COMM', message: 'PowerAuth server unreachable (/rest/v3/activation/status): the request\'s look-ups passed their deadline' })
  t.ok(mock.requests.length < activationIds.length, `none started after the deadline (${mock.requests.length} of ${activationIds.length} asked)`)
  t.equal(await app.db.device.count(), 0, 'nothing registered')
  t.equal(LOOKUP_DEADLINE_TIMEOUTS, 2)

  // The control: as many activations from a server that answers at once are all looked up.
  mock.delayMs = 0
  mock.requests.length = 0
  const quick = await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'token', platform: 'fcm', activationIds } })
  t.equal(quick.statusCode, 200)
  t.equal(mock.requests.length, activationIds.length)
})

t.test('a PowerAuth answer that stalls after its head is cut by the timeout: 400 ERROR_PA_SERVER_COMM, not a 500', async (t) => {
  const { app, mock } = await setUp(t)
  mock.failure = 'stall'
  const response = await call(app, 'POST', '/push/device/create', createBody('act-1'))
  t.equal(response.statusCode, 400)
  t.same(response.json().responseObject, { code: 'ERROR_PA_SERVER_COMM', message: 'PowerAuth server unreachable (/rest/v3/activation/status): no answer within 300 ms' })
  t.equal(await app.db.device.count(), 0)
})

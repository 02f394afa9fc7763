import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication } from './fixtures.js'

type Method = 'POST' | 'DELETE'
interface BadRequestCase { name: string, method: Method, url: string, body: unknown, message: RegExp }

const create = { appId: 2, token: 'token', platform: 'ios', activationId: 'act-1' }
const multi = { appId: 2, token: 'token', platform: 'ios', activationIds: ['act-1'] }
const remove = { appId: 2, token: 'token' }

const without = (object: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(object).filter(([k]) => k !== key))

const cases: BadRequestCase[] = [
  { name: 'create without requestObject', method: 'POST', url: '/push/device/create', body: create, message: /^requestObject is required$/ },
  { name: 'create with requestObject null (absent)', method: 'POST', url: '/push/device/create', body: { requestObject: null }, message: /^requestObject is required$/ },
  { name: 'create with requestObject a string', method: 'POST', url: '/push/device/create', body: { requestObject: 'x' }, message: /^requestObject must be object$/ },
  { name: 'create with token null (absent)', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, token: null } }, message: /^requestObject\.token is required$/ },
  ...['appId', 'token', 'platform', 'activationId'].map((field) => ({
    name: `create without ${field}`,
    method: 'POST' as const,
    url: '/push/device/create',
    body: { requestObject: without(create, field) },
    message: new RegExp(`^requestObject\\.${field} is required$`)
  })),
  { name: 'appId: true', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, appId: true } }, message: /^requestObject\.appId must be an application id/ },
  { name: 'appId only spaces', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, appId: '  ' } }, message: /^requestObject\.appId must be an application id/ },
  { name: 'appId negative', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, appId: -1 } }, message: /^requestObject\.appId must be/ },
  { name: 'appId fractional', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, appId: 2.5 } }, message: /^requestObject\.appId must be/ },
  { name: 'token a number', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, token: 12345 } }, message: /^requestObject\.token must be an APNs device token/ },
  { name: 'token empty', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, token: '' } }, message: /^requestObject\.token must be/ },
  { name: 'token with spaces', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, token: 'ab cd' } }, message: /^requestObject\.token must be/ },
  // Longer would not fit PostgreSQL's unique index on (application, token) from ~2,700 bytes: a 503.
  { name: 'token of 513 characters', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, token: 'a'.repeat(513) } }, message: /^requestObject\.token must be .*1 to 512 characters/ },
  { name: 'token of 2,800 characters', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, token: 'a'.repeat(2800) } }, message: /^requestObject\.token must be/ },
  { name: 'platform windows', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, platform: 'windows' } }, message: /^requestObject\.platform must be ios, android, apns or fcm$/ },
  { name: 'platform in capitals', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, platform: 'IOS' } }, message: /^requestObject\.platform must be/ },
  { name: 'environment staging', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, environment: 'staging' } }, message: /^requestObject\.environment must be development \(same as sandbox\) or production$/ },
  { name: 'activationStatus unknown', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, activationStatus: 'DELETED' } }, message: /^requestObject\.activationStatus must be CREATED, PENDING_COMMIT, ACTIVE, BLOCKED or REMOVED$/ },
  { name: 'userId empty', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, userId: '' } }, message: /^requestObject\.userId must be a user id/ },
  { name: 'activationId too long', method: 'POST', url: '/push/device/create', body: { requestObject: { ...create, activationId: 'x'.repeat(65) } }, message: /^requestObject\.activationId must be a PowerAuth activation id/ },
  { name: 'multi without activationIds', method: 'POST', url: '/push/device/create/multi', body: { requestObject: without(multi, 'activationIds') }, message: /^requestObject\.activationIds is required$/ },
  { name: 'multi with empty activationIds', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, activationIds: [] } }, message: /^requestObject\.activationIds must be a list of 1 to 100/ },
  { name: 'multi with activationIds a string', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, activationIds: 'act-1' } }, message: /^requestObject\.activationIds must be a list/ },
  { name: 'multi with a number among activationIds', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, activationIds: ['act-1', 7] } }, message: /^requestObject\.activationIds\.1 must be a PowerAuth activation id/ },
  { name: 'multi with 101 activationIds', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, activationIds: Array.from({ length: 101 }, (_, i) => `a${i}`) } }, message: /^requestObject\.activationIds must be a list of 1 to 100/ },
  { name: 'multi with appId true', method: 'POST', url: '/push/device/create/multi', body: { requestObject: { ...multi, appId: true } }, message: /^requestObject\.appId must be/ },
  { name: 'remove without token', method: 'DELETE', url: '/push/device/remove', body: { requestObject: without(remove, 'token') }, message: /^requestObject\.token is required$/ },
  { name: 'remove with a control character in appId', method: 'DELETE', url: '/push/device/remove', body: { requestObject: { ...remove, appId: '2\n' } }, message: /^requestObject\.appId must be/ },
  { name: 'remove without body', method: 'DELETE', url: '/push/device/remove', body: undefined, message: /request body/ },
  { name: 'delete alias without appId', method: 'POST', url: '/push/device/delete', body: { requestObject: without(remove, 'appId') }, message: /^requestObject\.appId is required$/ },
  { name: 'status update without activationId', method: 'POST', url: '/push/device/status/update', body: { activationStatus: 'ACTIVE' }, message: /^activationId is required$/ },
  { name: 'status update, wrapped, without activationId', method: 'POST', url: '/push/device/status/update', body: { requestObject: { activationStatus: 'ACTIVE' } }, message: /^requestObject\.activationId is required$/ },
  { name: 'status update with a numeric activationId', method: 'POST', url: '/push/device/status/update', body: { activationId: 42, activationStatus: 'ACTIVE' }, message: /^activationId must be a PowerAuth activation id/ },
  { name: 'status update with a bad status', method: 'POST', url: '/push/device/status/update', body: { activationId: 'act-1', activationStatus: 'GONE' }, message: /^activationStatus must be CREATED, PENDING_COMMIT/ },
  { name: 'status update, wrapped, with a bad status', method: 'POST', url: '/push/device/status/update', body: { requestObject: { activationId: 'act-1', activationStatus: 'active' } }, message: /^requestObject\.activationStatus must be/ },
  { name: 'status update mixing both forms', method: 'POST', url: '/push/device/status/update', body: { activationId: 'act-1', requestObject: { activationId: 'act-1', activationStatus: 'ACTIVE' } }, message: /not both/ },
  { name: 'status update with the status outside requestObject', method: 'POST', url: '/push/device/status/update', body: { activationStatus: 'BLOCKED', requestObject: { activationId: 'act-1' } }, message: /not both/ }
]

t.test('malformed requests get 400 ERROR_GENERIC naming the field, and store nothing', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  for (const { name, method, url, body, message } of cases) {
    const response = await call(app, method, url, body)
    t.equal(response.statusCode, 400, `${name}: status`)
    const json = response.json()
    t.equal(json.status, 'ERROR', `${name}: envelope`)
    t.equal(json.responseObject.code, 'ERROR_GENERIC', `${name}: code`)
    t.match(json.responseObject.message, message, `${name}: message "${json.responseObject.message}"`)
  }
  t.equal(await app.db.device.count(), 0, 'no device stored')
  t.equal(await app.db.deviceActivation.count(), 0, 'no activation stored')
})

// (Removing a token of an unknown application is OK, as in PowerAuth: remove.test.ts.)
t.test('an unknown application is 400 naming it, on every endpoint that registers', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const requests: Array<[Method, string, unknown]> = [
    ['POST', '/push/device/create', { requestObject: { ...create, appId: 99 } }],
    ['POST', '/push/device/create/multi', { requestObject: { ...multi, appId: '99' } }]
  ]
  for (const [method, url, body] of requests) {
    const response = await call(app, method, url, body)
    t.equal(response.statusCode, 400, `${method} ${url}`)
    t.same(response.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'Application with appId 99 does not exist' } })
  }
  t.equal(await app.db.device.count(), 0)
})

t.test('a token of the longest length taken, 512 characters of three bytes each, registers', async (t) => {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  const response = await call(app, 'POST', '/push/device/create', { requestObject: { ...create, token: '€'.repeat(512) } })
  t.equal(response.statusCode, 200, response.body)
  t.equal(await app.db.device.count({ where: { pushToken: '€'.repeat(512) } }), 1)
})

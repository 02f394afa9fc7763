import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, emptyDeviceCount, OK, storedDevices } from './fixtures.js'

// Two applications; "shared" is registered in both, "keep" shares a token with "shared" in app 2.
async function setUp (t: Test) {
  const { app } = await buildApp(t)
  await createApplication(app, 2)
  await createApplication(app, 3)
  const register = async (appId: number, token: string, activationIds: string[]) => {
    const response = await call(app, 'POST', '/push/device/create/multi', {
      requestObject: { appId, token, platform: 'ios', activationIds, userId: 'dave' }
    })
    t.equal(response.statusCode, 200, `registered ${token} in ${appId}`)
  }
  await register(2, 'token-2', ['shared', 'keep'])
  await register(3, 'token-3', ['shared'])
  await register(3, 'token-other', ['other'])
  return app
}

const statuses = async (app: FastifyInstance) =>
  (await storedDevices(app)).flatMap((d) => d.activations.map((a) => `${d.appId}:${d.token}:${a.activationId}:${a.activationStatus}`))

t.test('an unwrapped body updates the activation in every application', async (t) => {
  const app = await setUp(t)
  const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'shared', activationStatus: 'BLOCKED' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.same(await statuses(app), [
    '2:token-2:keep:ACTIVE', '2:token-2:shared:BLOCKED',
    '3:token-3:shared:BLOCKED', '3:token-other:other:ACTIVE'
  ])
  const users = await app.db.deviceActivation.findMany({ where: { activationId: 'shared' }, select: { userId: true } })
  t.same(users.map((u) => u.userId), ['dave', 'dave'], 'without PowerAuth the stored user id stays')
})

t.test('a body wrapped in requestObject works the same', async (t) => {
  const app = await setUp(t)
  const response = await call(app, 'POST', '/push/device/status/update', { requestObject: { activationId: 'keep', activationStatus: 'PENDING_COMMIT' } })
  t.equal(response.statusCode, 200)
  t.same(await statuses(app), [
    '2:token-2:keep:PENDING_COMMIT', '2:token-2:shared:ACTIVE',
    '3:token-3:shared:ACTIVE', '3:token-other:other:ACTIVE'
  ])
})

t.test('REMOVED unregisters the activation and deletes tokens left without one', async (t) => {
  const app = await setUp(t)
  const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'shared', activationStatus: 'REMOVED' })
  t.equal(response.statusCode, 200)
  t.same(await statuses(app), ['2:token-2:keep:ACTIVE', '3:token-other:other:ACTIVE'],
    'token-3 had only "shared" and is gone; token-2 keeps "keep"')
  t.equal(await emptyDeviceCount(app), 0)
})

t.test('an activation nobody registered is OK and changes nothing', async (t) => {
  const app = await setUp(t)
  const before = await storedDevices(app)
  for (const activationStatus of ['ACTIVE', 'REMOVED']) {
    const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'unknown', activationStatus })
    t.equal(response.statusCode, 200, activationStatus)
  }
  t.strictSame(await storedDevices(app), before)
})

t.test('a blocked activation can become active again', async (t) => {
  const app = await setUp(t)
  for (const activationStatus of ['BLOCKED', 'ACTIVE']) {
    const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'other', activationStatus })
    t.equal(response.statusCode, 200)
    const row = await app.db.deviceActivation.findFirstOrThrow({ where: { activationId: 'other' } })
    t.equal(row.activationStatus, activationStatus)
  }
})

// guarantee: status-update-methods
t.test('PUT as well as POST, as PowerAuth\'s controller takes both', async (t) => {
  const app = await setUp(t)
  const response = await call(app, 'PUT', '/push/device/status/update', { activationId: 'other', activationStatus: 'BLOCKED' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.equal((await app.db.deviceActivation.findFirstOrThrow({ where: { activationId: 'other' } })).activationStatus, 'BLOCKED')
})

// guarantee: status-update-without-powerauth
t.test('without a PowerAuth server and without a status (the seed\'s example): OK, every registration keeps its status', async (t) => {
  const app = await setUp(t)
  await call(app, 'POST', '/push/device/status/update', { activationId: 'other', activationStatus: 'BLOCKED' })
  const before = await statuses(app)
  const bodies = [
    { activationId: 'shared' }, // the seed's example
    { activationId: 'other', activationStatus: null }, // what PowerAuth's Java client sends
    { requestObject: { activationId: 'keep' } }
  ]
  for (const body of bodies) {
    const response = await call(app, 'POST', '/push/device/status/update', body)
    t.equal(response.statusCode, 200, JSON.stringify(body))
    t.same(response.json(), OK)
  }
  t.same(await statuses(app), before, 'nothing changed')
  t.ok(before.includes('3:token-other:other:BLOCKED'), 'the control: a stated status was stored')
})

// The api's own lock statement names its built-ins as beacon_register_device does: functions of
// exactly its argument types, planted in the schema, are never chosen over pg_catalog's (they
// would run as Beacon's role, and give lock keys other than the function's).
t.test('functions planted in the schema do not run in the activation lock', async (t) => {
  const app = await setUp(t)
  await app.db.pool.query(`
    CREATE FUNCTION public.hashtextextended(text, integer) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted hashtextextended ran as %', current_user; END $$;
    CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted unnest ran as %', current_user; END $$;
    CREATE FUNCTION public.pg_advisory_xact_lock(numeric) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted lock ran as %', current_user; END $$`)
  const response = await call(app, 'POST', '/push/device/status/update', { activationId: 'shared', activationStatus: 'BLOCKED' })
  t.equal(response.statusCode, 200, response.body)
  t.same(await statuses(app), [
    '2:token-2:keep:ACTIVE', '2:token-2:shared:BLOCKED',
    '3:token-3:shared:BLOCKED', '3:token-other:other:ACTIVE'
  ])
})

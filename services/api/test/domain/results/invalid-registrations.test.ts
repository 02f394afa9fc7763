import { randomUUID } from 'node:crypto'
import type { DeviceResult } from '@beacon/contracts'
import t from 'tap'
import { recordResults } from '../../../src/domain/results/delivery-records.js'
import { buildApp, call } from '../../helper.js'
import { holdRows, lockWaits } from '../../lock-waits.js'
import { until } from '../../routes/in-app/helper.js'

// An app's new token brings both at once: the provider calls the old one invalid, and the app
// registers the new one with the same activation (a rotation). Forced here: a holder keeps the
// activation's row until both queue behind it, the rotation first. Once it lets go, the rotation
// takes the row, then wants the old token's; a recorder that had locked the old token's row first,
// deleting it, and waited for the activation's (cascading) closed the cycle.
// guarantee: invalid-tokens-deleted
t.test('a registration called invalid is deleted without deadlocking a rotation of its activation', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const register = (token: string) => call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token, platform: 'ios', activationId: 'act' } })
  t.equal((await register('old')).statusCode, 200)
  const old = await app.db.device.findFirstOrThrow({ where: { pushToken: 'old' } })
  const holder = await holdRows(t, app, "SELECT 1 FROM device_activation WHERE activation_id = 'act' FOR UPDATE")
  const rotation = register('new')
  await until(async () => (await lockWaits(app)).length === 1, 'the rotation waits for the activation')
  const verdict: DeviceResult = { messageId: randomUUID(), deviceId: String(old.id), platform: 'APNS', status: 'FAILED', reason: 'Unregistered', tokenInvalid: true, attempts: 1, at: new Date().toISOString() } as DeviceResult
  const recorded = recordResults(app.db, [{ kind: 'device', result: verdict }])
  await until(async () => (await lockWaits(app)).length === 2, 'the recorder waits too')
  t.equal((await lockWaits(app))[1], 'advisory', 'the recorder waits for the activation, holding nothing the rotation needs')
  await holder.release()
  const [rotated] = await Promise.all([rotation, recorded])
  t.equal(rotated.statusCode, 200, rotated.body)
  const devices = await app.db.device.findMany({ include: { activations: true } })
  t.same(devices.map((d) => [d.pushToken, d.activations.map((a) => a.activationId)]), [['new', ['act']]], 'the activation on the new token, the old one gone')
})

t.test('a registration renewed after the provider\'s verdict stays', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const register = (token: string, activationId: string) => call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token, platform: 'ios', activationId } })
  t.equal((await register('renewed', 'a')).statusCode, 200)
  t.equal((await register('invalid', 'b')).statusCode, 200)
  const verdictAt = new Date().toISOString()
  await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal((await register('renewed', 'a')).statusCode, 200, 'renewed after the verdict')
  const devices = await app.db.device.findMany({ orderBy: { pushToken: 'asc' } })
  const verdicts = devices.map((device): DeviceResult => ({ messageId: randomUUID(), deviceId: String(device.id), platform: 'APNS', status: 'FAILED', reason: 'Unregistered', tokenInvalid: true, attempts: 1, at: verdictAt } as DeviceResult))
  await recordResults(app.db, verdicts.map((result) => ({ kind: 'device' as const, result })))
  t.same((await app.db.device.findMany()).map((d) => d.pushToken), ['renewed'], 'only the registration not renewed since is deleted')
})

// The most one batch of results holds (20 NATS messages of 500).
t.test('a batch that calls 10,000 registrations invalid deletes them all', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  // Each with an activation, whose lock takes a place in PostgreSQL's shared lock table.
  await app.db.$executeRaw`
    WITH devices AS (
      INSERT INTO device (application_id, push_token, platform)
      SELECT ${application.id}, 'token-' || n, 'APNS' FROM generate_series(1, 10000) AS n RETURNING id, push_token)
    INSERT INTO device_activation (application_id, device_id, activation_id, activation_status, updated_at)
    SELECT ${application.id}, id, 'act-' || push_token, 'ACTIVE', now() FROM devices`
  const at = new Date().toISOString()
  const devices = await app.db.device.findMany({ select: { id: true } })
  const events = devices.map(({ id }) => ({ kind: 'device' as const, result: { messageId: randomUUID(), deviceId: String(id), platform: 'APNS', status: 'FAILED', reason: 'Unregistered', tokenInvalid: true, attempts: 1, at } as DeviceResult }))
  await recordResults(app.db, events)
  t.equal(await app.db.device.count(), 0, 'every one deleted')
  t.equal(await app.db.deviceActivation.count(), 0, 'with its activation')
})

// guarantee: invalid-tokens-deleted
t.test('only a registration the provider called invalid is deleted: a failure for another reason keeps the device', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  for (const token of ['failed', 'invalid', 'sent']) {
    t.equal((await call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token, platform: 'ios', activationId: token } })).statusCode, 200)
  }
  const at = new Date().toISOString()
  const outcome = { failed: { status: 'FAILED', reason: 'TooManyRequests', tokenInvalid: false }, invalid: { status: 'FAILED', reason: 'Unregistered', tokenInvalid: true }, sent: { status: 'SENT', tokenInvalid: false } }
  const devices = await app.db.device.findMany()
  await recordResults(app.db, devices.map((device) => ({
    kind: 'device' as const,
    result: { messageId: randomUUID(), deviceId: String(device.id), platform: 'APNS', attempts: 1, at, ...outcome[device.pushToken as keyof typeof outcome] } as DeviceResult
  })))
  t.same((await app.db.device.findMany({ orderBy: { pushToken: 'asc' } })).map((d) => d.pushToken), ['failed', 'sent'], 'the valid devices stay')
})

t.test('a failure to delete invalid registrations goes to onRemovalFailure; the outcomes are recorded all the same', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const messageId = randomUUID()
  await app.db.message.create({ data: { id: messageId, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
  await app.db.messageDelivery.create({ data: { messageId, deviceId: 1n, platform: 'APNS' } })
  // The removal's first statement fails (the connection was lost); the recorder's own statements run.
  const failingRemoval = {
    pool: {
      query: (query: string | { text: string }, values?: unknown[]) => (typeof query === 'string' && query.includes('FROM device_activation')
        ? Promise.reject(new Error('Connection terminated unexpectedly'))
        : app.db.pool.query(query as never, values as never)),
      connect: () => app.db.pool.connect()
    }
  } as unknown as typeof app.db
  const verdict = { kind: 'device' as const, result: { messageId, deviceId: '1', platform: 'APNS', status: 'FAILED', reason: 'Unregistered', tokenInvalid: true, attempts: 1, at: new Date().toISOString() } as DeviceResult }
  const failures: unknown[] = []
  await recordResults(failingRemoval, [verdict], (error) => { failures.push(error) })
  t.match(failures, [{ message: 'Connection terminated unexpectedly' }], 'reported once')
  t.match(await app.db.messageDelivery.findFirstOrThrow({ where: { messageId } }), { status: 'FAILED', reason: 'Unregistered' }, 'the outcome is recorded')
  await t.rejects(recordResults(failingRemoval, [verdict]), /Connection terminated/, 'by default the failure is the batch\'s')
})

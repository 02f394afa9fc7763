import { randomUUID } from 'node:crypto'
import type { CallbackCommand } from '@beacon/contracts'
import { DatabaseError } from '@beacon/db'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { handle } from '../../../../src/plugins/app/callbacks/deliver.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { callbackBody, createDeveloper, receiver } from './fixtures.js'
import { copyOf, queryOf, sendingFor, withQuery } from './handler-harness.js'
import { metricValue } from '../../../metrics/scrape.js'

// Copies delivered again (an acknowledgement lost, an instance gone), copies without a record, and
// the database failing in ways that are or are not an outage: what `handle` makes of each.

type Status = 'PENDING' | 'DELIVERED' | 'FAILED'

async function recorded (app: FastifyInstance, developerId: number, body: CallbackCommand['body'], data: { status?: Status, attempts?: number, copyId?: string } = {}) {
  await app.db.callbackDelivery.create({ data: { developerId, eventId: body.eventId, event: body.event, requestId: body.requestId, ...data } })
}

for (const status of ['DELIVERED', 'FAILED'] as const) {
  t.test(`the live copy of a callback that ended ${status}, delivered again, is dropped unattempted`, async (t) => {
    const { app, config } = await buildApp(t, localCallbackEnv)
    const hooks = await receiver(t)
    const developerId = await createDeveloper(app, hooks.url('/cb'))
    const body = callbackBody()
    await recorded(app, developerId, body, { status, attempts: 1 })
    const before = await app.db.callbackDelivery.findFirstOrThrow({ where: { developerId } })
    const { sending } = sendingFor(t, app, config.signedApi)
    const { delivery, settled } = copyOf({ developerId, body }, {}, 2)
    await handle(app, sending, delivery)
    t.same(settled, ['drop'])
    t.same(hooks.received(), [], 'no second POST')
    t.same(await app.db.callbackDelivery.findFirstOrThrow({ where: { developerId } }), before, 'the record as it was')
    t.equal(await app.db.outbox.count(), 0, 'nothing queued')
  })
}

t.test('a copy whose callback has no record (queued before records existed) is still delivered', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const { sending } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body: callbackBody() })
  await handle(app, sending, delivery)
  t.same(hooks.received().map((r) => [r.verified, r.status]), [[true, 200]], 'one signed POST')
  t.same(settled, ['ack'])
})

t.test('a copy without a record given up after its last attempt is logged and counted given up, as a recorded one is', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_MAX_ATTEMPTS: '2' }, { captureLogs: true })
  const hooks = await receiver(t)
  hooks.failNext(1, 503)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  const before = await metricValue(app, 'beacon_callbacks_total', { outcome: 'given_up' })
  const { sending } = sendingFor(t, app, config.signedApi)
  // Its first attempt made, this copy makes the second and last.
  const { delivery, settled } = copyOf({ developerId, body, attempts: 1 })
  await handle(app, sending, delivery)
  t.same(hooks.received().map((r) => r.status), [503], 'one POST, refused')
  t.same(settled, ['drop'])
  t.equal(await metricValue(app, 'beacon_callbacks_total', { outcome: 'given_up' }) - before, 1, 'counted given up')
  const giveUp = logs().split('\n').find((line) => line.includes('callback given up'))
  t.match(JSON.parse(giveUp ?? '{}'), { level: 40, developerId, eventId: body.eventId, attempts: 2, lastStatus: 503 }, 'logged as a warning')
  t.equal(await app.db.callbackDelivery.count({ where: { developerId } }), 0, 'still no record')
})

/**
 * A callback whose live copy has made `attempts` attempts, to a receiver, with a sender: the app as
 * `env` sets it up (CALLBACK_MAX_ATTEMPTS).
 */
async function liveCopy (t: Test, env: Record<string, string>, attempts: number, failNext = 0) {
  const { app, config } = await buildApp(t, { ...localCallbackEnv, ...env })
  const hooks = await receiver(t)
  if (failNext > 0) hooks.failNext(failNext, 500)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  const copy = randomUUID()
  await recorded(app, developerId, body, { attempts, copyId: copy })
  const { sending } = sendingFor(t, app, config.signedApi)
  return { app, hooks, sending, developerId, callback: { developerId, body, attempts, copy } }
}

t.test('each delivery of a copy counts as an attempt: one its instance did not live to settle made one', async (t) => {
  const { app, sending, developerId, callback } = await liveCopy(t, {}, 1, 1)
  // The copy after one failed attempt, delivered a third time: attempts 2 and 3 were made.
  const { delivery, settled } = copyOf(callback, {}, 3)
  await handle(app, sending, delivery)
  t.same(settled, ['ack'])
  const [retry] = await app.db.outbox.findMany({ where: { kind: 'callback' } })
  t.match(retry?.payload, { developerId, attempts: 4 }, 'the retry carries four attempts')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 4, lastStatus: 500 })
})

t.test('a copy delivered again past CALLBACK_MAX_ATTEMPTS is given up without a POST', async (t) => {
  const { app, hooks, sending, developerId, callback } = await liveCopy(t, { CALLBACK_MAX_ATTEMPTS: '3' }, 1)
  const { delivery, settled } = copyOf(callback, {}, 3)
  await handle(app, sending, delivery)
  t.same(settled, ['drop'])
  t.same(hooks.received(), [], 'no POST')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'FAILED', attempts: 3, lastError: 'InternalError' })
})

t.test('a copy carrying more attempts than CALLBACK_MAX_ATTEMPTS allows now (lowered since) is given up, never left pending', async (t) => {
  const { app, hooks, sending, developerId, callback } = await liveCopy(t, { CALLBACK_MAX_ATTEMPTS: '3' }, 5)
  const { delivery, settled } = copyOf(callback)
  await handle(app, sending, delivery)
  t.same(settled, ['drop'])
  t.same(hooks.received(), [], 'no POST')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'FAILED', attempts: 5, lastError: 'InternalError' })
})

/** A failure as node-postgres reports the server's error `code`. */
const serverError = (code: string) => Object.assign(new DatabaseError('from the server', 0, 'error'), { code })

/** A copy handled while the database's first statement fails with the server error `code`, then works. */
async function handledAfterError (t: Test, code: string) {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await recorded(app, developerId, body)
  let failures = 1
  const query = queryOf(app)
  const failingOnce = withQuery(app, async (...args) => { if (failures-- > 0) throw serverError(code); return await query(...args) })
  const { sending } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body })
  await handle(failingOnce, sending, delivery)
  return { app, hooks, developerId, settled }
}

for (const code of ['08006', '53300', '57P01', '57P03']) {
  t.test(`a server error ${code} is an outage: the copy is kept in hand, then attempted once`, async (t) => {
    const { app, hooks, developerId, settled } = await handledAfterError(t, code)
    t.same(settled, ['ack'])
    t.equal(hooks.received().length, 1, 'one POST')
    t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'DELIVERED', attempts: 1 }, 'its attempt not used up')
  })
}

t.test('a server error that is no outage (a full disk, 53100) counts as an attempt at once', async (t) => {
  const { app, hooks, developerId, settled } = await handledAfterError(t, '53100')
  t.same(settled, ['ack'], 'settled at once: kept in hand, it would have been POSTed once the database answered')
  t.same(hooks.received(), [], 'no POST')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 1, lastError: 'InternalError' }, 'its retry queued')
})

t.test('a failure inside the api whose retry cannot be written either is handed back to JetStream, never dropped', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  // Sealed for another developer's row: it does not open for this one (DB_SECRET_UNREADABLE).
  await app.db.developer.update({ where: { id: developerId }, data: { secret: sealDeveloperSecret(app.secrets, developerId + 1, 'another-secret-0123456789') } })
  const body = callbackBody()
  await recorded(app, developerId, body)
  const query = queryOf(app)
  const writesFail = withQuery(app, async (statement, ...rest) => {
    if (!/^\s*SELECT/.test(statement.text)) throw serverError('53100')
    return await query(statement, ...rest)
  })
  const { sending } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body })
  await handle(writesFail, sending, delivery)
  t.same(settled, ['retry later'], 'handed back for a later delivery')
  t.same(hooks.received(), [], 'no POST')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 0 }, 'the record as it was')
})

import type { CallbackCommand } from '@beacon/contracts'
import t from 'tap'
import { handle } from '../../../../src/plugins/app/callbacks/deliver.js'
import { callbacksSettled } from '../../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, createDeveloper, emitCallback, receiver } from './fixtures.js'
import { copyOf, queryOf, sendingFor, withQuery } from './handler-harness.js'

t.test('an accepted callback whose acknowledgement fails is recorded delivered, neither retried nor given up', async (t) => {
  const { app, config } = await buildApp(t, { ...localCallbackEnv, CALLBACK_MAX_ATTEMPTS: '1' })
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)
  await hooks.until((r) => r.length === 1)
  await callbacksSettled(app, config)
  await app.db.callbackDelivery.updateMany({ data: { status: 'PENDING', attempts: 0 } })
  await app.db.outbox.deleteMany({})

  const { sending } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body }, { ack: async () => { throw new Error('NATS connection closed') } })
  await handle(app, sending, delivery)
  t.same(settled, ['ack'], 'acknowledged once, the failure not taken for the attempt\'s')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'DELIVERED', attempts: 1, lastStatus: 200 })
  t.equal(await app.db.outbox.count(), 0, 'no retry queued')
  t.equal(hooks.received().length, 2, 'one more POST: the one handled here')
})

// guarantee: callback-database-outage-kept
t.test('while the database cannot be reached the copy is kept in hand, then attempted once, its attempt not used up', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await app.db.callbackDelivery.create({ data: { developerId, eventId: body.eventId, event: body.event, requestId: body.requestId } })
  // The pool fails as an unreachable server does, twice, then answers again.
  let failures = 2
  const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  const query = queryOf(app)
  const flakyApp = withQuery(app, async (...args) => { if (failures-- > 0) throw unreachable; return await query(...args) })

  const { sending } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body })
  await handle(flakyApp, sending, delivery)
  t.same(settled, ['ack'], 'settled once the database answered, never handed back')
  t.same(hooks.received().map((r) => r.status), [200], 'one attempt')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'DELIVERED', attempts: 1 })
})

t.test('a copy kept in hand while the database cannot be reached is handed back when the api closes', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const unreachable = Object.assign(new Error('Connection terminated unexpectedly'), {})
  const down = withQuery(app, async () => { throw unreachable })
  const { sending, close } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId: 1, body: callbackBody() })
  const handled = handle(down, sending, delivery)
  setTimeout(close, 300)
  await handled
  t.same(settled, ['retry later'], 'handed back for another instance, not given up')
})

t.test('a copy whose statement fails once the api has begun to close is handed back at once, not kept in hand', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const unreachable = Object.assign(new Error('Connection terminated unexpectedly'), {})
  const down = withQuery(app, async () => { throw unreachable })
  const { sending, close } = sendingFor(t, app, config.signedApi)
  close()
  const { delivery, settled } = copyOf({ developerId: 1, body: callbackBody() })
  const handled = handle(down, sending, delivery)
  // Kept in hand, it would wait a second, then two, … for up to keptAtMostMs (a minute here).
  await Promise.race([handled, new Promise((resolve) => setTimeout(resolve, 3000))])
  t.same(settled, ['retry later'], 'handed back without waiting')
  await handled
})

t.test('a copy is kept in hand for a while only: past it, it is handed back for another instance', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  const down = withQuery(app, async () => { throw unreachable })
  const { sending } = sendingFor(t, app, config.signedApi, 1500)
  const { delivery, settled } = copyOf({ developerId: 1, body: callbackBody() })
  await handle(down, sending, delivery)
  t.same(settled, ['retry later'], 'handed back, the api still open')
  t.notOk(sending.shutdown.aborted)
})

// guarantee: callback-shutdown-no-attempt
t.test('an api that closes makes no attempt: the copy is queued again as it was, for another instance', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await app.db.callbackDelivery.create({ data: { developerId, eventId: body.eventId, event: body.event, requestId: body.requestId } })
  const { sending, close } = sendingFor(t, app, config.signedApi)
  close()
  const { delivery, settled } = copyOf({ developerId, body })
  await handle(app, sending, delivery)
  t.same(settled, ['ack'], 'acknowledged once queued again')
  t.same(hooks.received(), [], 'no POST')
  const [row] = await app.db.outbox.findMany({})
  const copy = row?.payload as unknown as CallbackCommand
  t.match(copy, { developerId, attempts: 0, body: { eventId: body.eventId } }, 'no attempt counted')
  t.ok(row!.publishAfter.getTime() <= Date.now(), 'due at once')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 0, copyId: copy.copy })
})

for (const status of [200, 500]) {
  // guarantee: callback-outcome-written-again
  t.test(`a POST answered ${status} whose outcome cannot be written at first is not POSTed again: only the write is retried`, async (t) => {
    const { app, config } = await buildApp(t, { ...localCallbackEnv, CALLBACK_MAX_ATTEMPTS: '3' })
    const hooks = await receiver(t)
    if (status !== 200) hooks.failNext(1, status)
    const developerId = await createDeveloper(app, hooks.url('/cb'))
    const body = callbackBody()
    await app.db.callbackDelivery.create({ data: { developerId, eventId: body.eventId, event: body.event, requestId: body.requestId } })
    // Writes fail twice (a full disk, a statement timeout), reads work.
    let failures = 2
    const query = queryOf(app)
    const writesFail = withQuery(app, async (statement, ...rest) => {
      if (!/^\s*SELECT/.test(statement.text) && failures-- > 0) throw Object.assign(new Error('could not extend file'), { code: '53100' })
      return await query(statement, ...rest)
    })
    const { sending } = sendingFor(t, app, config.signedApi)
    const { delivery, settled } = copyOf({ developerId, body })
    await handle(writesFail, sending, delivery)
    t.same(settled, ['ack'])
    t.equal(hooks.received().length, 1, 'one POST')
    const record = await app.db.callbackDelivery.findFirst({ where: { developerId } })
    if (status === 200) t.match(record, { status: 'DELIVERED', attempts: 1, lastStatus: 200 }, 'recorded delivered, not failed')
    else t.match(record, { status: 'PENDING', attempts: 1, lastStatus: 500 }, 'its retry queued')
  })
}

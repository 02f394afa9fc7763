import type { CallbackCommand } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { handle } from '../../../../src/plugins/app/callbacks/deliver.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, createDeveloper, startScriptedServer } from './fixtures.js'
import { copyOf, sendingFor } from './handler-harness.js'

// A rolling deploy closes every api in turn: a POST its close cuts short is no failure of the
// developer's, and counts no attempt.

async function recorded (app: FastifyInstance, developerId: number, body: CallbackCommand['body']) {
  await app.db.callbackDelivery.create({ data: { developerId, eventId: body.eventId, event: body.event, requestId: body.requestId } })
}

t.test('a POST the api\'s close cut short counts no attempt: the copy is queued again as it was', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hanging = await startScriptedServer(t, () => new Promise(() => {}))
  const developerId = await createDeveloper(app, hanging.url('/cb'))
  const body = callbackBody()
  await recorded(app, developerId, body)
  const { sending, close } = sendingFor(t, app, config.signedApi)
  const { delivery, settled } = copyOf({ developerId, body })
  const handled = handle(app, sending, delivery)
  while (hanging.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  close()
  await handled
  t.same(settled, ['ack'])
  const [row] = await app.db.outbox.findMany({ where: { kind: 'callback' } })
  const queued = row?.payload as unknown as CallbackCommand
  t.match(queued, { developerId, attempts: 0 }, 'no attempt counted')
  t.ok(row!.publishAfter.getTime() <= Date.now(), 'due at once')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 0, lastError: null, copyId: queued.copy })
})

t.test('an api closing while a POST hangs ends it at once and queues the callback again, no attempt counted', async (t) => {
  // A minute's timeout: the close must not wait for it.
  const { app, config } = await buildApp(t, { ...localCallbackEnv, CALLBACK_TIMEOUT_MS: '60000' })
  const hanging = await startScriptedServer(t, () => new Promise(() => {}))
  const developerId = await createDeveloper(app, hanging.url('/cb'))
  const body = callbackBody()
  await app.callbacks.emit(developerId, body)
  while (hanging.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 25))
  await app.close()
  const db = createDb({ url: config.databaseUrl })
  t.teardown(() => db.$disconnect())
  const [row] = await db.outbox.findMany({ where: { kind: 'callback' } })
  const queued = row?.payload as unknown as CallbackCommand
  t.match(queued, { developerId, attempts: 0, body: { eventId: body.eventId } }, 'queued again with no attempt counted')
  t.match(await db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'PENDING', attempts: 0, lastError: null, copyId: queued.copy })
})

import { natsNames, type CallbackCommand } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import { readWorkQueue } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { handle } from '../../../../src/plugins/app/callbacks/deliver.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, createDeveloper, emitCallback, startScriptedServer } from './fixtures.js'
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
  await emitCallback(app, developerId, body)
  while (hanging.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 25))
  await app.close()
  const db = createDb({ url: config.databaseUrl })
  const names = natsNames(config.nats.prefix)
  t.teardown(() => db.$disconnect())
  // The copy queued again is in the outbox, or already in the stream for another instance (the
  // closing api's outbox may publish it before it stops).
  const record = await db.callbackDelivery.findFirstOrThrow({ where: { developerId } })
  t.match(record, { status: 'PENDING', attempts: 0, lastError: null, lastAttemptAt: null }, 'no attempt counted')
  t.ok(record.copyId !== null, 'a new copy is the live one')
  const rows = await db.outbox.findMany({ where: { kind: 'callback' } })
  const queue = await readWorkQueue({ stream: names.callbackStream, consumer: names.callbackConsumer, servers: config.nats.url })
  t.equal(rows.length + queue.messages, 1, 'queued once, in the outbox or in the stream')
  for (const row of rows) t.match(row.payload, { developerId, attempts: 0, copy: record.copyId, body: { eventId: body.eventId } })
})

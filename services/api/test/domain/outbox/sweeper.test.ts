import { randomUUID } from 'node:crypto'
import type { Command, SendCommand } from '@beacon/contracts'
import { createNatsTransport, TransportError, TransportErrorCode, type Transport } from '@beacon/transport'
import t from 'tap'
import { sweepOutbox } from '../../../src/domain/outbox/sweeper.js'
import { buildApp, call } from '../../helper.js'
import { startPrivateNats } from '../../private-nats.js'

const until = async (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const message = { userId: 'alice', body: { title: 'Hi', body: 'there' } }
const command = (): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' }
})

/** A transport whose command publishes do what `publish` says; nothing else is used by the sweeper. */
const publishing = (publish: (command: Command) => Promise<void>) => ({
  publishCommand: publish,
  publishCallback: async () => {}
}) as unknown as Transport

// guarantee: outbox-no-loss, send-while-nats-down
t.test('NATS down: the send answers OK, and the message is published once NATS is back — one command in the stream', async (t) => {
  const nats = await startPrivateNats(t)
  const { app, config } = await buildApp(t, { NATS_URL: nats.url, OUTBOX_SWEEP_INTERVAL_MS: '50', OUTBOX_PUBLISH_GRACE_MS: '200' })
  await app.db.application.create({ data: { appId: '2', name: 'app' } })

  await nats.stop()
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 200, 'not a 503: the message is stored with its command')
  const [messageId] = response.json().responseObject.messageIds as string[]
  const stored = await app.db.message.findUniqueOrThrow({ where: { id: messageId! } })
  t.equal(stored.completedAt, null, 'not failed NotQueued')
  t.equal(await app.db.outbox.count(), 1, 'its command waits in the outbox')

  await nats.start()
  await until(async () => await app.db.outbox.count() === 0, 'the sweeper published it')

  // As if an instance had published it and died before deleting its row: published again, kept once.
  await app.db.$executeRaw`INSERT INTO outbox (kind, payload) SELECT 'command', ${JSON.stringify({
    kind: 'message', messageId, applicationId: stored.applicationId, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: message.body
  })}::json`
  app.outbox.kick()
  await until(async () => await app.db.outbox.count() === 0, 'the repeat published')

  // A stand-in dispatcher on the same streams; a control command published last marks the end.
  const dispatcher = await createNatsTransport({ servers: nats.url, prefix: config.nats.prefix, name: 'test-dispatcher' })
  t.teardown(() => dispatcher.close())
  const seen: string[] = []
  dispatcher.consumeCommands(async (delivery) => {
    if (delivery.command.kind === 'message') seen.push(delivery.command.messageId)
    await delivery.ack()
  }, { concurrency: 1 })
  const control = command()
  await dispatcher.publishCommand(control)
  await until(() => seen.includes(control.messageId), 'the control command')
  t.same(seen, [messageId, control.messageId], 'the message\'s command is in the stream exactly once, before the control')
  await app.close()
})

// guarantee: outbox-skip-locked
t.test('two sweepers never hold the same rows: one publishes while the other skips its locked rows', async (t) => {
  const { app } = await buildApp(t)
  const commands = Array.from({ length: 10 }, command)
  await app.db.outbox.createMany({ data: commands.map((c) => ({ kind: 'command', payload: c as never })) })

  const slow: string[] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let held!: () => void
  const holding = new Promise<void>((resolve) => { held = resolve })
  const first = sweepOutbox(app.db, publishing(async (c) => {
    slow.push((c as SendCommand).messageId)
    if (slow.length === 4) held()
    await gate
  }), { batch: 4, retryDelayMs: 1000 }, app.log)
  await holding

  const fast: string[] = []
  const took = await sweepOutbox(app.db, publishing(async (c) => { fast.push((c as SendCommand).messageId) }), { batch: 10, retryDelayMs: 1000 }, app.log)
  t.equal(took, 6, 'the second sweeper took only the rows nobody held')
  release()
  t.equal(await first, 4)
  t.same(fast.filter((id) => slow.includes(id)), [], 'no row published by both')
  t.same([...slow, ...fast].sort(), commands.map((c) => c.messageId).sort(), 'every row published once')
  t.equal(await app.db.outbox.count(), 0)
})

// guarantee: not-queued-on-refusal
t.test('a failed publish is put off and counted; a definite refusal fails its message NotQueued', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: '3', name: 'app' } })
  const later = { ...command(), applicationId: application.id }
  const refused = { ...command(), applicationId: application.id }
  for (const c of [later, refused]) {
    await app.db.message.create({ data: { id: c.messageId, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: c.body as never } })
    await app.db.outbox.create({ data: { kind: 'command', payload: c as never } })
  }
  const took = await sweepOutbox(app.db, publishing(async (c) => {
    if ((c as SendCommand).messageId === refused.messageId) throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large')
    throw new TransportError(TransportErrorCode.PUBLISH_FAILED, 'no connection')
  }), { batch: 10, retryDelayMs: 60_000 }, app.log)
  t.equal(took, 2)
  const rows = await app.db.outbox.findMany()
  t.equal(rows.length, 1, 'the refused row is gone')
  t.equal((rows[0]?.payload as SendCommand).messageId, later.messageId)
  t.equal(rows[0]?.attempts, 1)
  t.ok(rows[0]!.publishAfter.getTime() > Date.now() + 30_000, 'the next attempt waits')
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: refused.messageId } }), { failureReason: 'NotQueued', completedAt: Date })
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: later.messageId } }), { failureReason: null, completedAt: null })
  t.equal(await sweepOutbox(app.db, publishing(async () => {}), { batch: 10, retryDelayMs: 1 }, app.log), 0, 'nothing due before its time')
})

t.test('the rows due longest go first: a row put off and due again is taken before later ones', async (t) => {
  const { app } = await buildApp(t)
  const [first, second, third] = [command(), command(), command()]
  for (const c of [first, second, third]) await app.db.outbox.create({ data: { kind: 'command', payload: c as never } })
  // The first row's publish failed and it fell due again: updated, it is stored after the others.
  await app.db.outbox.updateMany({ where: { id: (await app.db.outbox.findFirstOrThrow({ orderBy: { id: 'asc' } })).id }, data: { attempts: 1, publishAfter: new Date(Date.now() - 60_000) } })
  const published: string[] = []
  const transport = publishing(async (c) => { published.push((c as SendCommand).messageId) })
  for (let round = 0; round < 3; round++) await sweepOutbox(app.db, transport, { batch: 1, retryDelayMs: 1 }, app.log)
  t.same(published, [first, second, third].map((c) => c.messageId), 'by when they fell due, then as they were written')
})

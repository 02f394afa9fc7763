import { randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import { natsNames } from '@beacon/contracts'
import { natsTestPrefix, testNatsUrl, untilWorkQueueSettled } from '@beacon/testkit'
import { createNatsTransport, type ResultEvent } from '@beacon/transport'
import { resultsOf, startHarness } from '../../../harness.js'

// guarantee: command-max-deliver
t.test('a command failing on every delivery ends FAILED with DispatchFailed after exactly COMMAND_MAX_DELIVER deliveries, and is acknowledged', async (t) => {
  const h = await startHarness(t)
  await h.addDevices('poison', 2, 'APNS')
  await h.startDispatcher({ COMMAND_MAX_DELIVER: '3' })
  // No stored message: every claim violates the foreign key, a failure of the command itself.
  const command = { kind: 'message' as const, messageId: randomUUID(), applicationId: h.applicationId, userId: 'poison', personal: false, silent: false, priority: 'HIGH' as const, body: { title: 'x' } }
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the terminal summary')

  t.match(resultsOf(h.events, command.messageId).summary, { reason: 'DispatchFailed' })
  t.same(h.logs.filter((line) => line.msg === 'command failed; it will be retried').map((line) => line.delivery), [1, 2], 'retried after deliveries 1 and 2')
  t.same(h.logs.filter((line) => line.msg === 'command failed on its last delivery; it ends as failed').map((line) => [line.command, line.delivery]), [[command.messageId, 3]],
    'ended on the third delivery: three in all')
  t.equal(h.apns.log.length, 0, 'nothing sent')
  // Control: a command published after it is handled; the failed one never comes back.
  const next = await h.storeMessage('poison')
  await h.transport.publishCommand(next)
  await h.until(() => resultsOf(h.events, next.messageId).summary !== undefined, 'the next summary')
  t.equal(h.logs.filter((line) => line.msg === 'command failed on its last delivery; it ends as failed').length, 1, 'ended once')
  // JetStream's own max_deliver stops a fourth delivery whether or not the dispatcher acknowledged
  // the third: only an empty work queue shows that the failed command was acknowledged.
  const names = natsNames(h.prefix)
  const queue = await untilWorkQueueSettled({ stream: names.commandStream, consumer: names.dispatcherConsumer })
  t.strictSame({ messages: queue.messages, ackPending: queue.ackPending, deliveries: queue.deliveries }, { messages: 0, ackPending: 0, deliveries: 4 },
    'acknowledged: the command stream is empty after three deliveries of it and one of the control')
})

t.test('a dispatcher with the wrong MASTER_KEY fails the message with a reason; one with the right key afterwards does not send it', async (t) => {
  const h = await startHarness(t)
  const tokens = await h.addDevices('keys', 2, 'APNS')
  const wrong = await h.startDispatcher({ MASTER_KEY: randomBytes(32).toString('base64') })
  const command = await h.storeMessage('keys')
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  const { summary, devices } = resultsOf(h.events, command.messageId)
  t.match(summary, { reason: /cannot be opened \(DB_SECRET_UNREADABLE\)/, ios: { failed: 2, total: 2 } })
  t.same(devices.map((d) => d.status), ['FAILED', 'FAILED'])
  t.equal(await h.db.messageDelivery.count({ where: { messageId: command.messageId, status: 'FAILED' } }), 2, 'the failures are recorded as the claims')
  await wrong.stop()

  // The same command delivered again (streams of their own, so JetStream's duplicate window does
  // not drop it), to a dispatcher with the right key, then a new message as the control.
  const prefix = natsTestPrefix()
  const queue = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'test-api-2' })
  const events: ResultEvent[] = []
  const results = queue.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 100 })
  t.teardown(async () => { await results.stop(); await queue.close() })
  await h.startDispatcher({}, { prefix })
  await queue.publishCommand(command)
  await h.until(() => resultsOf(events, command.messageId).summary !== undefined, 'the summary of the command delivered again')
  const next = await h.storeMessage('keys')
  await queue.publishCommand(next)
  await h.until(() => resultsOf(events, next.messageId).summary !== undefined, 'the next message')
  t.same(tokens.map((token) => h.apns.received(token).length), [1, 1], 'only the next message reached the devices')
  t.match(resultsOf(events, command.messageId).summary, { ios: { failed: 2, total: 2 } }, 'the command delivered again reports what was recorded')
})

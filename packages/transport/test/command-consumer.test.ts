import { randomUUID } from 'node:crypto'
import { natsNames, type SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, headers, nanos } from '@nats-io/transport-node'
import t from 'tap'
import { createNatsTransport, TransportErrorCode, type CommandDelivery } from '../src/index.js'
import { DELIVERIES_SPENT_HEADER } from '../src/nats/handed-back.js'
import { memoryFactory, natsFactory, natsPrefix, settledQueue } from './fixtures.js'

const command = (): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'user-1', personal: false, silent: false, priority: 'HIGH', body: { title: 'hi' }
})

const until = async (condition: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('nats: only the consuming side defines the command consumer; an api started later leaves its settings alone', async (t) => {
  const prefix = await natsPrefix(t)
  const dispatcher = await natsFactory(t, prefix)
  const handled: string[] = []
  dispatcher.consumeCommands(async (delivery) => { handled.push(delivery.command.kind); await delivery.ack() }, { concurrency: 1, ackWaitMs: 4321, maxDeliver: 3 })
  await dispatcher.publishCommand(command())
  await until(() => handled.length === 1, 'the consumer working')

  const api = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'api' })
  t.teardown(() => api.close())
  await api.publishCommand(command())
  await until(() => handled.length === 2, 'the command the api published')
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const names = natsNames(prefix)
  const info = await (await jetstreamManager(nc)).consumers.info(names.commandStream, names.dispatcherConsumer)
  t.equal(info.config.ack_wait, nanos(4321), "the dispatcher's ack wait")
  t.equal(info.config.max_deliver, 3, "the dispatcher's delivery limit")
})

for (const [kind, factory] of [['nats', natsFactory], ['memory', memoryFactory]] as const) {
  t.test(`${kind}: the delivery reaching the consumer's limit says it is the last`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const seen: Array<[number, boolean]> = []
    transport.consumeCommands(async (delivery) => {
      seen.push([delivery.deliveryCount, delivery.lastDelivery])
      if (delivery.lastDelivery) await delivery.ack()
      else delivery.retry(10)
    }, { concurrency: 1, maxDeliver: 3 })
    await transport.publishCommand(command())
    await until(() => seen.length === 3, 'three deliveries')
    t.same(seen, [[1, false], [2, false], [3, true]])
  })

  // A stop hands a command back as a copy (the dispatcher's chunks): it comes again with the number
  // of the delivery handed back, however often, while retry goes on counting toward the limit.
  t.test(`${kind}: a command handed back comes again with its delivery's number; retry counts on from it`, async (t) => {
    const prefix = kind === 'nats' ? await natsPrefix(t) : 'unused'
    const transport = await factory(t, prefix)
    const steps = ['hand back', 'retry', 'hand back', 'hand back', 'retry', 'ack']
    const seen: Array<[number, boolean, boolean]> = []
    const published = command()
    transport.consumeCommands(async (delivery) => {
      seen.push([delivery.deliveryCount, delivery.firstDelivery, delivery.lastDelivery])
      t.same(delivery.command, published, 'the command as published')
      const step = steps[seen.length - 1]
      if (step === 'retry') delivery.retry(10)
      else if (step === 'hand back') await delivery.handBack()
      else await delivery.ack()
    }, { concurrency: 1, maxDeliver: 3 })
    await transport.publishCommand(published)
    await until(() => seen.length === steps.length, 'every step')
    // [number, first delivery, last delivery]: a copy of the first delivery is numbered 1 but is no first delivery.
    t.same(seen, [[1, true, false], [1, false, false], [2, false, false], [2, false, false], [2, false, false], [3, false, true]],
      'three hand-backs past a limit of 3 deliveries, which retry then reaches')
    const queue = await settledQueue(kind, prefix, 'commands')
    if (queue !== undefined) {
      // Settled: nothing left in the stream, nothing pending, so every handed-back delivery was acknowledged.
      t.equal(queue.stored, 4, 'the command and its three copies')
      t.equal(queue.deliveries, steps.length, 'one delivery per step, none more')
    }
  })

  t.test(`${kind}: a command handed back queues behind the commands waiting`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const [first, second] = [command(), command()]
    const order: string[] = []
    // Both queued before the consumer starts.
    await transport.publishCommand(first)
    await transport.publishCommand(second)
    transport.consumeCommands(async (delivery) => {
      const name = delivery.command.kind === 'message' && delivery.command.messageId === first.messageId ? 'first' : 'second'
      order.push(name)
      if (name === 'first' && order.length === 1) await delivery.handBack()
      else await delivery.ack()
    }, { concurrency: 1 })
    await until(() => order.length === 3, 'three deliveries')
    t.same(order, ['first', 'second', 'first'])
  })

  t.test(`${kind}: nothing is taken while the consumer is not ready`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    let open: () => void = () => {}
    let ready = new Promise<void>((resolve) => { open = resolve })
    let asked = 0
    const handled: CommandDelivery[] = []
    transport.consumeCommands(async (delivery) => { handled.push(delivery); await delivery.ack() }, {
      concurrency: 1,
      ready: () => { asked++; return ready }
    })
    await transport.publishCommand(command())
    await until(() => asked > 0, 'the gate asked')
    t.equal(handled.length, 0, 'held at the gate')
    open()
    ready = Promise.resolve()
    await until(() => handled.length === 1, 'taken once ready')
    t.equal(handled[0]!.deliveryCount, 1, 'no delivery was spent while waiting')
  })
}

t.test('nats: a publish nobody answers is UNAVAILABLE (to be retried), unlike a refusal', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  // No stream takes the command subject any more: JetStream does not answer the publish.
  await (await jetstreamManager(nc)).streams.delete(natsNames(prefix).commandStream)
  await t.rejects(transport.publishCommand(command()), { code: TransportErrorCode.UNAVAILABLE })
})

t.test('nats: a copy whose spent deliveries cannot be read is on its last delivery', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const seen: Array<[number, boolean, boolean]> = []
  transport.consumeCommands(async (delivery) => {
    seen.push([delivery.deliveryCount, delivery.firstDelivery, delivery.lastDelivery])
    await delivery.ack()
  }, { concurrency: 1, maxDeliver: 3 })
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const copyHeaders = headers()
  copyHeaders.set(DELIVERIES_SPENT_HEADER, 'two')
  const published = command()
  await jetstream(nc).publish(natsNames(prefix).commandSubject, new TextEncoder().encode(JSON.stringify(published)), { headers: copyHeaders })
  // Control: a copy that says it spent one delivery.
  const control = headers()
  control.set(DELIVERIES_SPENT_HEADER, '1')
  await jetstream(nc).publish(natsNames(prefix).commandSubject, new TextEncoder().encode(JSON.stringify(command())), { headers: control })
  await until(() => seen.length === 2, 'both copies')
  t.same(seen, [[4, false, true], [2, false, false]], '[number, first, last]: past the limit, so the last; the control counts on from its header')
})

import { randomUUID } from 'node:crypto'
import { natsNames, type SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import t, { type Test } from 'tap'
import { createMemoryTransport, createNatsTransport, type AbandonedCommand } from '../../src/index.js'
import { abandonedCommands, handlerRetryDelay, LAST_ATTEMPT_WAIT_MS } from '../../src/nats/abandoned-commands.js'
import { natsPrefix } from '../fixtures.js'

const command = (): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'user-1', personal: false, silent: false, priority: 'HIGH', body: { title: 'hi' }
})

/** Streams of the test's own, a transport on them (the dispatchers' side) and a connection of the test's. */
async function streamsOfOwn (t: Test, name: string) {
  const prefix = await natsPrefix(t)
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name, commandAckWaitMs: 1000 })
  t.teardown(() => transport.close())
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  return { prefix, names: natsNames(prefix), transport, nc, jsm: await jetstreamManager(nc) }
}

// guarantee: delivery-attempts-exhausted
t.test('a command the consumer gives up on is handed over once, read from the stream, and removed', async (t) => {
  const { prefix, names, transport, jsm } = await streamsOfOwn(t, 'abandoned-test')
  // Two listeners, as two api instances: the queue group hands the advisory to one of them.
  const second = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'abandoned-test-2', commandAckWaitMs: 1000 })
  t.teardown(() => second.close())

  const abandoned: AbandonedCommand[] = []
  let handled!: () => void
  const done = new Promise<void>((resolve) => { handled = resolve })
  const listener = async (item: AbandonedCommand) => { abandoned.push(item); await item.remove(); handled() }
  transport.consumeAbandonedCommands(listener)
  second.consumeAbandonedCommands(listener)

  let deliveries = 0
  // The dispatchers' side defines the consumer: two deliveries, then JetStream gives up.
  transport.consumeCommands(async (delivery) => { deliveries++; delivery.retry(10) }, { concurrency: 1, maxDeliver: 2 })
  const poison = command()
  await transport.publishCommand(poison)
  await done

  t.equal(deliveries, 2, 'delivered max_deliver times')
  t.equal(abandoned.length, 1)
  t.same(abandoned[0]?.command, poison, 'the command as it was published')
  t.equal(abandoned[0]?.deliveries, 2)
  const info = await jsm.streams.info(names.commandStream)
  t.equal(info.state.messages, 0, 'the abandoned command was deleted from the work queue')
})

t.test('the memory transport never gives a command up: listening is harmless', async (t) => {
  const transport = createMemoryTransport()
  t.teardown(() => transport.close())
  const handle = transport.consumeAbandonedCommands(async () => { throw new Error('never called') })
  await handle.stop()
  t.pass('stopped')
})

t.test('a failing handler is retried after growing, capped, half-random delays', async (t) => {
  const delays = (random: number): number[] => [1, 2, 3, 4].map((attempt) => handlerRetryDelay(attempt, () => random))
  t.same(delays(0.999999).map(Math.round), [2000, 4000, 8000, 8000], 'the longest: doubling from 2 s, capped at 8 s')
  t.same(delays(0), [1000, 2000, 4000, 4000], 'the shortest: half of each')
})

t.test('stopping wakes a handler waiting to retry: its last attempt a moment later, not after its wait', async (t) => {
  const { names, transport, nc, jsm } = await streamsOfOwn(t, 'abandoned-stop-test')

  const attempts: number[] = []
  // The listener reports the failed attempt just before it waits to retry: a minute here.
  let waitingToRetry!: () => void
  const failed = new Promise<void>((resolve) => { waitingToRetry = resolve })
  const listener = abandonedCommands(nc, names, async (item) => {
    attempts.push(Date.now())
    // The first attempt fails (the database away, say).
    if (attempts.length === 1) throw new Error('database unreachable')
    await item.remove()
  }, () => { waitingToRetry() }, () => 60_000)
  transport.consumeCommands(async (delivery) => { delivery.retry(10) }, { concurrency: 1, maxDeliver: 1 })
  await transport.publishCommand(command())
  await failed

  const stopAt = Date.now()
  const outcome = await Promise.race([
    listener.stop().then(() => 'stopped'),
    new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'still waiting').unref())
  ])
  t.equal(outcome, 'stopped', 'the stop did not wait out the minute')
  t.equal(attempts.length, 2, 'the handler had its last attempt before the stop resolved')
  t.ok(attempts[1]! - stopAt >= LAST_ATTEMPT_WAIT_MS - 20, 'that attempt came a moment after the stop (a database failing over gets it), not at once')
  const info = await jsm.streams.info(names.commandStream)
  t.equal(info.state.messages, 0, 'that attempt recorded the command: it was removed from the work queue')
})

t.test('a handler that keeps failing has five attempts, then the command is left in the stream', async (t) => {
  const { names, transport, nc, jsm } = await streamsOfOwn(t, 'abandoned-attempts-test')
  let attempts = 0
  const errors: unknown[] = []
  const listener = abandonedCommands(nc, names, async () => {
    attempts++
    throw new Error('database unreachable')
  }, (error) => { errors.push(error) }, () => 1)
  t.teardown(() => listener.stop())
  transport.consumeCommands(async (delivery) => { delivery.retry(10) }, { concurrency: 1, maxDeliver: 1 })
  await transport.publishCommand(command())
  // Each failure is reported: the four retried, and the last, which ends the handling.
  const deadline = Date.now() + 10_000
  while (errors.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(attempts, 5, 'five attempts, no sixth')
  t.equal(errors.length, 5)
  t.equal((await jsm.streams.info(names.commandStream)).state.messages, 1, 'the command is still in the stream')
})

import { natsNames } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import t from 'tap'
import { createMemoryTransport, createNatsTransport, TransportErrorCode } from '../../src/index.js'
import { checkStreams } from '../../src/nats/queue-state.js'
import { natsPrefix } from '../fixtures.js'

const command = (n: number) => ({ kind: 'message', messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` }) as never

t.test('NATS: ready while every stream exists, not once one is gone; the command backlog is reported', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'queue-state-test', commandAckWaitMs: 1000 })
  t.teardown(() => transport.close())
  await t.resolves(transport.checkReady())

  // The dispatchers' consumer exists once a dispatcher consumes; held commands are pending for it.
  const consumer = transport.consumeCommands(async () => { await new Promise(() => {}) }, { concurrency: 1 })
  await consumer.stop()
  for (let n = 1; n <= 3; n++) await transport.publishCommand(command(n))
  const names = natsNames(prefix)
  const states = await transport.queueState()
  const commands = states.find((state) => state.stream === names.commandStream)
  t.ok(commands, 'the command queue is reported once its consumer exists')
  t.equal((commands?.pending ?? 0) + (commands?.ackPending ?? 0), 3, 'every published command is in the backlog')
  t.same(states.map((state) => state.stream).sort(), [names.callbackStream, names.commandStream, names.resultStream].sort())

  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  await (await jetstreamManager(nc)).streams.delete(names.resultStream)
  await t.rejects(transport.checkReady(), { code: TransportErrorCode.STREAM_MISSING }, 'a missing stream is not ready, and says so')
})

t.test('NATS: a transport whose connection is gone is not ready, for want of NATS', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'queue-state-test' })
  await transport.close()
  await t.rejects(transport.checkReady(), { code: TransportErrorCode.UNAVAILABLE })
})

t.test('memory: always ready, no queues to report', async (t) => {
  const transport = createMemoryTransport()
  t.teardown(() => transport.close())
  await t.resolves(transport.checkReady())
  t.same(await transport.queueState(), [])
})

t.test('a stream JetStream cannot answer for (unavailable, not missing) is UNAVAILABLE, not STREAM_MISSING', async (t) => {
  const nc = { rtt: async () => 1 } as unknown as NatsConnection
  const failing = (code: number) => ({
    streams: { info: async () => { throw new JetStreamApiError({ code, err_code: code === 404 ? 10059 : 10008, description: 'no' }) } }
  }) as unknown as JetStreamManager
  await t.rejects(checkStreams(nc, failing(503), natsNames('x')), { code: TransportErrorCode.UNAVAILABLE })
  await t.rejects(checkStreams(nc, failing(404), natsNames('x')), { code: TransportErrorCode.STREAM_MISSING }, 'control: a missing one')
})

import { natsNames } from '@beacon/contracts'
import { natsTestPrefix, testNatsUrl, untilWorkQueueSettled, type WorkQueueState } from '@beacon/testkit'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import type { Test } from 'tap'
import { createMemoryTransport, createNatsTransport, deleteTopology, type Transport } from '../src/index.js'

export type Factory = (t: Test, prefix: string) => Promise<Transport>

/** A NATS transport on the streams of `prefix`, closed when the test ends. */
export const natsFactory: Factory = async (t, prefix) => {
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'transport-test', commandAckWaitMs: 1000 })
  t.teardown(() => transport.close())
  return transport
}

/** The in-process transport (the prefix is unused: nothing leaves the process). */
export const memoryFactory: Factory = async (t) => {
  const transport = createMemoryTransport()
  t.teardown(() => transport.close())
  return transport
}

/** A NATS prefix of the test's own; its streams are deleted when the test ends. */
export async function natsPrefix (t: Test): Promise<string> {
  const prefix = natsTestPrefix()
  t.teardown(async () => {
    const nc = await connect({ servers: testNatsUrl })
    await deleteTopology(await jetstreamManager(nc), natsNames(prefix))
    await nc.close()
  })
  return prefix
}

/**
 * NATS: waits until the work queue `queue` of `prefix` holds nothing (every message settled, none
 * given back for later), so no delivery can follow, and returns the server's counts of messages
 * stored and deliveries made. Memory: undefined (its queue is not observable; its tests rely on a
 * control item, which its FIFO hands over after anything published before it).
 */
export async function settledQueue (kind: 'nats' | 'memory', prefix: string, queue: 'commands' | 'results' | 'callbacks'): Promise<WorkQueueState | undefined> {
  if (kind === 'memory') return undefined
  const names = natsNames(prefix)
  const [stream, consumer] = queue === 'commands'
    ? [names.commandStream, names.dispatcherConsumer]
    : queue === 'results' ? [names.resultStream, names.recorderConsumer] : [names.callbackStream, names.callbackConsumer]
  return await untilWorkQueueSettled({ stream, consumer, servers: testNatsUrl })
}

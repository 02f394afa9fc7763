import type { NatsNames } from '@beacon/contracts'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { QueueState } from '../transport.js'

const queues = (names: NatsNames) => [
  { stream: names.commandStream, consumer: names.dispatcherConsumer },
  { stream: names.resultStream, consumer: names.recorderConsumer },
  { stream: names.callbackStream, consumer: names.callbackConsumer }
]

/**
 * Ready: connected, and every work-queue stream exists (a stream deleted by hand, or a JetStream
 * that lost its store, would make every publish fail). One request per stream.
 */
export async function checkStreams (nc: NatsConnection, jsm: JetStreamManager, names: NatsNames): Promise<void> {
  if (nc.isClosed()) throw new Error('NATS connection closed')
  await Promise.all(queues(names).map(({ stream }) => jsm.streams.info(stream)))
}

/**
 * What each work queue holds for its consumer (the lag metrics). A consumer not created yet (the
 * command consumer before any dispatcher started) is left out rather than failing the others.
 */
export async function readQueueState (jsm: JetStreamManager, names: NatsNames): Promise<QueueState[]> {
  const states = await Promise.all(queues(names).map(async ({ stream, consumer }) => {
    try {
      const info = await jsm.consumers.info(stream, consumer)
      return { stream, consumer, pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered }
    } catch {
      return undefined
    }
  }))
  return states.filter((state): state is QueueState => state !== undefined)
}

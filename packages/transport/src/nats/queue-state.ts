import type { NatsNames } from '@beacon/contracts'
import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { TransportError, TransportErrorCode } from '../errors.js'
import type { QueueState } from '../transport.js'

const queues = (names: NatsNames) => [
  { stream: names.commandStream, consumer: names.dispatcherConsumer },
  { stream: names.resultStream, consumer: names.recorderConsumer },
  { stream: names.callbackStream, consumer: names.callbackConsumer }
]

/**
 * Ready: connected, and every work-queue stream exists (a stream deleted by hand, or a JetStream
 * that lost its store, would make every publish fail). One round trip, then one request per
 * stream. Which part failed is in the error's code, for a readiness answer to name it: UNAVAILABLE
 * when the broker is not reached (at once while disconnected), STREAM_MISSING when a stream is not there.
 */
export async function checkStreams (nc: NatsConnection, jsm: JetStreamManager, names: NatsNames): Promise<void> {
  try {
    await nc.rtt()
  } catch (cause) {
    throw new TransportError(TransportErrorCode.UNAVAILABLE, 'NATS is not reachable', { cause })
  }
  await Promise.all(queues(names).map(async ({ stream }) => {
    try {
      await jsm.streams.info(stream)
    } catch (cause) {
      if (cause instanceof JetStreamApiError && cause.status === 404) throw new TransportError(TransportErrorCode.STREAM_MISSING, `stream ${stream} is missing`, { cause })
      throw new TransportError(TransportErrorCode.UNAVAILABLE, `stream ${stream} not answered`, { cause })
    }
  }))
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

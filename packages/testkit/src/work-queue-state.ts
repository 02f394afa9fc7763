import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { testNatsUrl } from './nats.js'

/** A JetStream work-queue stream and one of its consumers, as the server counts them. */
export interface WorkQueueState {
  /** Messages in the stream now: on a work queue, those not yet acknowledged or terminated. */
  messages: number
  /** Messages ever stored (a repeat JetStream dropped by its message id is not counted). */
  stored: number
  /** Deliveries the consumer made in all, redeliveries included. */
  deliveries: number
  /** Delivered and not yet settled (a message given back with a delay is counted here). */
  ackPending: number
}

export interface WorkQueueName {
  stream: string
  consumer: string
  servers?: string
}

export async function readWorkQueue ({ stream, consumer, servers = testNatsUrl }: WorkQueueName): Promise<WorkQueueState> {
  const nc = await connect({ servers })
  try {
    const jsm = await jetstreamManager(nc)
    const [streamInfo, consumerInfo] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, consumer)])
    return {
      messages: streamInfo.state.messages,
      stored: streamInfo.state.last_seq,
      deliveries: consumerInfo.delivered.consumer_seq,
      ackPending: consumerInfo.num_ack_pending
    }
  } finally {
    await nc.close()
  }
}

/**
 * Waits until the work queue holds nothing (every message acknowledged or terminated, none given
 * back for later): no delivery can follow, so what its handlers saw is final. This is how a test
 * proves that nothing more happens, instead of sleeping and hoping it would have happened by then.
 */
export async function untilWorkQueueSettled (name: WorkQueueName, timeoutMs = 20_000): Promise<WorkQueueState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const state = await readWorkQueue(name)
    if (state.messages === 0 && state.ackPending === 0) return state
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name.stream} to settle: ${JSON.stringify(state)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

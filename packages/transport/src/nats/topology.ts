import type { NatsNames } from '@beacon/contracts'
import { AckPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type ConsumerConfig } from '@nats-io/jetstream'
import { nanos } from '@nats-io/transport-node'

export interface CommandConsumerSettings {
  /** How long a dispatcher may hold a command without `working()` before it is redelivered. */
  commandAckWaitMs: number
  /** After this many deliveries a command is dropped by JetStream (the dispatcher ends it on its last delivery). */
  commandMaxDeliver: number
}

// Publishers set a message id (the message id, or message:device); JetStream drops repeats seen
// within this window, which makes republishing after a crash harmless.
const DUPLICATE_WINDOW_MS = 10 * 60_000
// A callback sender calls working() while it waits on a slow developer server.
const CALLBACK_ACK_WAIT_MS = 60_000

async function ensureStream (jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    await jsm.streams.info(config.name)
    await jsm.streams.update(config.name, config)
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error
    await jsm.streams.add(config)
  }
}

async function ensureConsumer (jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }) {
  try {
    await jsm.consumers.info(stream, config.durable_name)
    await jsm.consumers.update(stream, config.durable_name, config)
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error
    await jsm.consumers.add(stream, config)
  }
}

/**
 * Creates (or brings up to date) the work-queue streams and the consumers every api instance
 * shares. The dispatchers' command consumer is theirs alone (ensureCommandConsumer): an api that
 * starts must not reset the ack wait and delivery limit the dispatchers run with.
 */
export async function ensureTopology (jsm: JetStreamManager, names: NatsNames): Promise<void> {
  await ensureStream(jsm, {
    name: names.commandStream,
    subjects: [names.commandSubject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS)
  })
  await ensureStream(jsm, {
    name: names.resultStream,
    subjects: [names.allResults],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS)
  })
  await ensureStream(jsm, {
    name: names.callbackStream,
    subjects: [names.callbackSubject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS)
  })
  // The sender decides when a callback is given up (CALLBACK_MAX_ATTEMPTS), so JetStream never does.
  await ensureConsumer(jsm, names.callbackStream, {
    durable_name: names.callbackConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(CALLBACK_ACK_WAIT_MS),
    max_deliver: -1,
    max_ack_pending: 10_000
  })
  await ensureConsumer(jsm, names.resultStream, {
    durable_name: names.recorderConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(60_000),
    max_ack_pending: 50_000
  })
}

/** Creates or updates the dispatchers' command consumer: called by the dispatchers only, when they start consuming. */
export async function ensureCommandConsumer (jsm: JetStreamManager, names: NatsNames, settings: CommandConsumerSettings): Promise<void> {
  await ensureConsumer(jsm, names.commandStream, {
    durable_name: names.dispatcherConsumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.commandAckWaitMs),
    max_deliver: settings.commandMaxDeliver,
    max_ack_pending: 10_000
  })
}

/** Removes the streams (and so their consumers): for test runs and `--reset` tooling. */
export async function deleteTopology (jsm: JetStreamManager, names: NatsNames): Promise<void> {
  for (const stream of [names.commandStream, names.resultStream, names.callbackStream]) {
    try { await jsm.streams.delete(stream) } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error
    }
  }
}

import type { CallbackCommand, ChunkSummary, Command, DeviceResult, InAppBroadcast, MessageSummary } from '@beacon/contracts'

/** A command handed to a dispatcher. Settle it exactly once: `ack`, or `retry` or `handBack` to give it back. */
export interface CommandDelivery {
  command: Command
  /** 1 on the first delivery; more when a previous holder died or gave it back with `retry` (a copy `handBack` queued keeps the number). */
  deliveryCount: number
  /**
   * The command's first delivery: no earlier holder can exist. Not a copy `handBack` queued, even
   * one numbered 1 (its holder was there before; were its lease not released, it is still live).
   */
  firstDelivery: boolean
  /** No further delivery will follow if this one is not acknowledged: the holder must bring it to an end. */
  lastDelivery: boolean
  /** Extends the time the holder may keep it before it is redelivered elsewhere. */
  working (): void
  ack (): Promise<void>
  retry (delayMs?: number): void
  /**
   * Back to the queue as a new copy that keeps this delivery's number (a stop, not a failure:
   * `retry` spends one of the consumer's deliveries). The copy queues behind what is waiting.
   * Rejects when the copy could not be queued; the delivery is then unsettled (`retry` still gives it back).
   */
  handBack (): Promise<void>
}

export type ResultEvent =
  | { kind: 'device', result: DeviceResult }
  | { kind: 'summary', summary: MessageSummary }
  | { kind: 'chunk', summary: ChunkSummary }

export interface Stoppable { stop (): Promise<void> }

/** A work queue's backlog as its consumer sees it (the lag metrics). */
export interface QueueState {
  stream: string
  consumer: string
  /** Not yet delivered. */
  pending: number
  /** Delivered, not yet acknowledged. */
  ackPending: number
  /** Delivered more than once and not yet acknowledged. */
  redelivered: number
}

/** How the dispatchers consume commands. Only they define the command consumer's settings. */
export interface CommandConsumerOptions {
  /** Commands handled at once. */
  concurrency: number
  /**
   * Campaign chunks handled at once, within `concurrency` (default: `concurrency`). A pull takes
   * no more commands than there is room for chunks, as what comes next cannot be known before it
   * arrives: chunks in hand never exceed it, and many short single messages fill the rest.
   */
  chunkConcurrency?: number
  /** How long a command may go without `working()` before it is redelivered elsewhere. */
  ackWaitMs?: number
  /** Deliveries of one command before it is given up (the last one is marked `lastDelivery`). */
  maxDeliver?: number
  /**
   * Awaited before each pull: a consumer whose database or broker is unreachable stops taking
   * commands (each taken one would spend a delivery) until it resolves.
   */
  ready?: () => Promise<void>
}

/** A callback to send. Settle it once: `ack` when the developer accepted it, `retry` to try again later, `drop` to give up. */
export interface CallbackDelivery {
  callback: CallbackCommand
  /** 1 on the first attempt. */
  deliveryCount: number
  /** Extends the time the holder may keep it before it is redelivered elsewhere. */
  working (): void
  ack (): Promise<void>
  retry (delayMs: number): void
  drop (): Promise<void>
}

/**
 * A command JetStream gave up on: its consumer's max deliveries were reached without an ack, so it
 * is never delivered again. Record its terminal state, then `remove` it from the stream.
 */
export interface AbandonedCommand {
  command: Command
  /** How many times it was delivered. */
  deliveries: number
  remove (): Promise<void>
}

export interface SummaryWatch {
  /** The summary, or null if none came within `timeoutMs`. */
  wait (timeoutMs: number): Promise<MessageSummary | null>
  /** Stops watching; a wait in progress resolves null. */
  cancel (): void
}

/**
 * How the api and the dispatchers talk: JetStream between processes, or an in-process queue for
 * the embedded default. Publishing is idempotent: a command per commandId; results travel in batches
 * and a repeated one is dropped, or at worst recorded once (the recorder keeps a device's first outcome).
 */
export interface Transport {
  publishCommand (command: Command): Promise<void>
  /** Handler runs up to `concurrency` commands at a time; unsettled commands are redelivered. */
  consumeCommands (handler: (delivery: CommandDelivery) => Promise<void>, options: CommandConsumerOptions): Stoppable
  publishDeviceResults (results: DeviceResult[]): Promise<void>
  /**
   * A message is finished: its summary, and the results of its devices (recorded before the
   * summary), in one NATS message when they fit.
   */
  publishSummary (summary: MessageSummary, results?: DeviceResult[]): Promise<void>
  publishChunkSummary (summary: ChunkSummary): Promise<void>
  /**
   * Results in batches; a batch is acknowledged when the handler resolves, redelivered if it throws.
   * `spacingMs`: while busy, batches start at least this long apart (NATS; the memory transport
   * ignores it).
   */
  consumeResults (handler: (events: ResultEvent[]) => Promise<void>, options: { maxBatch: number, spacingMs?: number }): Stoppable
  /** Start watching before publishing the command, so a fast summary is not missed. */
  watchSummary (messageId: string): SummaryWatch
  /**
   * Commands the dispatchers' consumer gave up on (JetStream's max-deliveries advisory), each handed
   * to one of the api instances listening. The advisory is not durable: one raised while no api
   * instance listens is missed (the command then stays in the stream, never redelivered).
   */
  consumeAbandonedCommands (handler: (abandoned: AbandonedCommand) => Promise<void>): Stoppable
  /** Queues a signed callback durably (de-duplicated by its eventId). */
  publishCallback (callback: CallbackCommand): Promise<void>
  /** Callbacks shared by every api instance; unsettled ones are redelivered. */
  consumeCallbacks (handler: (delivery: CallbackDelivery) => Promise<void>, options: { concurrency: number }): Stoppable
  /** Fans an in-app message or a developer change out to every api instance (not durable: the store replays what is missed). */
  publishInApp (event: InAppBroadcast): Promise<void>
  subscribeInApp (handler: (event: InAppBroadcast) => void): Stoppable
  /** Told when the connection to the broker is lost (false) and back (true); the memory transport never is. */
  watchConnection (listener: (connected: boolean) => void): Stoppable
  /** Resolves when the broker answers and every work-queue stream exists (readiness); the memory transport always does. */
  checkReady (): Promise<void>
  /** Each work queue's backlog; the memory transport has none to report. */
  queueState (): Promise<QueueState[]>
  /**
   * Stops the consumers (their handlers finish), then drains the connection and closes it: all of
   * it within `limitMs` when given; without, the drain alone within 2 s (NATS answering nothing
   * would hold it for minutes). Past the limit the connection is closed without it.
   */
  close (options?: CloseOptions): Promise<void>
}

export interface CloseOptions {
  /** How long the whole close may take; then the connection is closed without waiting for more. */
  limitMs?: number
}

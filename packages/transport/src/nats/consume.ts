import type { Consumer, JsMsg } from '@nats-io/jetstream'
import type { Stoppable } from '../transport.js'

/**
 * Pulls from a durable consumer and hands over batches of what has arrived, at most `maxBatch`
 * at a time and at most `concurrency` batches in flight. `stop()` stops pulling and waits for the
 * batches in flight to settle (graceful shutdown).
 *
 * A batch is closed one macrotask after its first message: the iterator yields everything that
 * arrived together within microtasks, so by then the batch holds all of it. (Asking the iterator
 * whether more is buffered — `getPending()` — is not reliable: it also counts the consumer's own
 * queued pull requests, and a batch waiting on it could sit until the next message, forever on a
 * quiet stream.)
 */
export function consumeBatches (
  consumer: Consumer,
  options: { maxBatch: number, concurrency: number },
  handle: (messages: JsMsg[]) => Promise<void>,
  onError: (error: unknown) => void
): Stoppable {
  let stopping = false
  const inFlight = new Set<Promise<void>>()
  let slotWaiters: Array<() => void> = []
  const slotFreed = () => new Promise<void>((resolve) => slotWaiters.push(resolve))
  const batch: JsMsg[] = []
  let flushing: Promise<void> | undefined
  const messagesReady = consumer.consume({ max_messages: Math.max(options.maxBatch * options.concurrency, 1) })

  const start = (messages: JsMsg[]) => {
    const work = handle(messages).catch(onError).finally(() => {
      inFlight.delete(work)
      // Every waiter re-checks its own condition.
      const waiters = slotWaiters
      slotWaiters = []
      for (const wake of waiters) wake()
    })
    inFlight.add(work)
  }
  const flush = async () => {
    while (batch.length > 0) {
      while (inFlight.size >= options.concurrency) await slotFreed()
      start(batch.splice(0, options.maxBatch))
    }
    // In the same synchronous step as the check above: a message arriving later schedules anew.
    flushing = undefined
  }

  const loop = (async () => {
    const messages = await messagesReady
    for await (const message of messages) {
      // Buffered messages that arrive after stop() go straight back for another holder.
      if (stopping) { message.nak(); continue }
      batch.push(message)
      flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush)
      // Backpressure: at most one full batch waits while every slot is busy.
      while (batch.length >= options.maxBatch && inFlight.size >= options.concurrency) await slotFreed()
    }
  })().catch(onError)

  return {
    async stop () {
      stopping = true
      const messages = await messagesReady
      await messages.close()
      await loop
      await flushing
      await Promise.all(inFlight)
    }
  }
}

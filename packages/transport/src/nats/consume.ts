import type { Consumer, JsMsg } from '@nats-io/jetstream'
import type { Stoppable } from '../transport.js'
import { workSlots } from './work-slots.js'

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
  const slots = workSlots(options.concurrency, onError)
  const batch: JsMsg[] = []
  let flushing: Promise<void> | undefined
  const messagesReady = consumer.consume({ max_messages: Math.max(options.maxBatch * options.concurrency, 1) })

  const flush = async () => {
    while (batch.length > 0) {
      while (slots.free() === 0) await slots.freed()
      slots.start(handle(batch.splice(0, options.maxBatch)))
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
      while (batch.length >= options.maxBatch && slots.free() === 0) await slots.freed()
    }
  })().catch(onError)

  return {
    async stop () {
      stopping = true
      const messages = await messagesReady
      await messages.close()
      await loop
      await flushing
      await slots.settled()
    }
  }
}

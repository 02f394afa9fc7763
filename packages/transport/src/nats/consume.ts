import type { Consumer, JsMsg } from '@nats-io/jetstream'
import type { Stoppable } from '../transport.js'

/**
 * Pulls from a durable consumer and hands over batches of what is already buffered, at most
 * `maxBatch` at a time and at most `concurrency` batches in flight. `stop()` stops pulling and
 * waits for the batches in flight to settle (graceful shutdown).
 */
export function consumeBatches (
  consumer: Consumer,
  options: { maxBatch: number, concurrency: number },
  handle: (messages: JsMsg[]) => Promise<void>,
  onError: (error: unknown) => void
): Stoppable {
  let stopping = false
  const inFlight = new Set<Promise<void>>()
  let wake: (() => void) | undefined
  const messagesReady = consumer.consume({ max_messages: Math.max(options.maxBatch * options.concurrency, 1) })

  const loop = (async () => {
    const messages = await messagesReady
    let batch: JsMsg[] = []
    for await (const message of messages) {
      // Buffered messages that arrive after stop() go straight back for another holder.
      if (stopping) { message.nak(); continue }
      batch.push(message)
      if (batch.length < options.maxBatch && messages.getPending() > 0) continue
      while (inFlight.size >= options.concurrency) await new Promise<void>((resolve) => { wake = resolve })
      const work = handle(batch).catch(onError).finally(() => { inFlight.delete(work); wake?.() })
      inFlight.add(work)
      batch = []
    }
  })().catch(onError)

  return {
    async stop () {
      stopping = true
      const messages = await messagesReady
      await messages.close()
      await loop
      await Promise.all(inFlight)
    }
  }
}

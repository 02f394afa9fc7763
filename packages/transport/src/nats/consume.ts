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
 *
 * `spacingMs` (as group commit's, packages/db): while busy, a batch starts at least that long after
 * the previous one started, and what arrives meanwhile goes with it. A batch after a quiet spell,
 * and a full one, start at once; so does what is left of a backlog larger than one batch, as soon
 * as a slot is free (waiting would not make it larger than what is already there). The result
 * recorder's single messages came ~1.7 to a batch at 500/s, each batch a statement and a commit
 * (its RESULTS_BATCH_SPACING_MS).
 */
export function consumeBatches (
  consumer: Consumer,
  options: { maxBatch: number, concurrency: number, spacingMs?: number },
  handle: (messages: JsMsg[]) => Promise<void>,
  onError: (error: unknown) => void
): Stoppable {
  let stopping = false
  const slots = workSlots(options.concurrency, onError)
  const batch: JsMsg[] = []
  let flushing: Promise<void> | undefined
  const spacingMs = options.spacingMs ?? 0
  let lastStart = Number.NEGATIVE_INFINITY
  // Set while a batch waits out the spacing: a batch that fills meanwhile starts at once.
  let startEarly: (() => void) | undefined
  const due = () => new Promise<void>((resolve) => {
    const wait = lastStart + spacingMs - performance.now()
    if (wait <= 0) { setImmediate(resolve); return }
    const timer = setTimeout(() => { startEarly = undefined; resolve() }, Math.ceil(wait))
    startEarly = () => { clearTimeout(timer); startEarly = undefined; resolve() }
  })
  const messagesReady = consumer.consume({ max_messages: Math.max(options.maxBatch * options.concurrency, 1) })

  const flush = async () => {
    while (batch.length > 0) {
      while (slots.free() === 0) await slots.freed()
      lastStart = performance.now()
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
      flushing ??= due().then(flush)
      if (batch.length >= options.maxBatch) startEarly?.()
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
      // A batch waiting out the spacing goes now: nothing more will join it.
      startEarly?.()
      await flushing
      await slots.settled()
    }
  }
}

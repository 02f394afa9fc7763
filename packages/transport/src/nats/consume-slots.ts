import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream'
import type { Stoppable } from '../transport.js'
import { workSlots } from './work-slots.js'

/** How long an idle pull waits on the server for messages before the next one is asked. */
const PULL_EXPIRES_MS = 5000
/** Pause after a failed pull (the connection is down, the consumer is being recreated). */
const PULL_RETRY_MS = 1000

/**
 * Pulls one message at a time per free slot, at most `concurrency` in hand at once, and hands
 * each over as soon as it arrives. Unlike `consume()`, which keeps a buffer filled ahead, nothing
 * is taken that cannot start at once: a message waiting in a buffer behind long-running ones
 * would outlive its ack wait unheard of and come a second time while the first copy is still
 * queued (a command handled twice: its claims then read as an earlier holder's). Only long work
 * (commands, callbacks) uses this; result batches use consumeBatches.
 * `ready()`, when given, is awaited before every pull. `pullLimit()`, when given, caps what the
 * next pull takes below the free slots (0: no pull until some work ends).
 * `stop()` stops pulling and waits for the work in flight to settle (graceful shutdown).
 */
export function consumeSlots (
  consumer: Consumer,
  options: { concurrency: number, ready?: () => Promise<void>, pullLimit?: () => number },
  handle: (message: JsMsg) => Promise<void>,
  onError: (error: unknown) => void
): Stoppable {
  let stopping = false
  // A call, not the variable: stop() changes it while the loop awaits.
  const running = () => !stopping
  const slots = workSlots(options.concurrency, onError)
  let pull: ConsumerMessages | undefined
  // Who waits for stop() (a `ready()` that does not resolve while the holder's outage lasts).
  // A fresh wait per pull, let go after it: one promise raced at every pull until the stop would
  // keep a reaction per pull, and a dispatcher pulls once per command.
  const stopWaiters = new Set<() => void>()
  const readyOrStopped = async (ready: () => Promise<void>) => {
    let wake: () => void = () => {}
    const stopped = new Promise<void>((resolve) => { wake = resolve })
    stopWaiters.add(wake)
    try {
      await Promise.race([ready(), stopped])
    } finally {
      stopWaiters.delete(wake)
    }
  }

  const room = () => Math.min(slots.free(), options.pullLimit?.() ?? Number.POSITIVE_INFINITY)
  const loop = (async () => {
    while (running()) {
      while (room() <= 0 && running()) await slots.freed()
      if (!running()) break
      // Nothing is taken while the holder says it could not work on it (an outage).
      if (options.ready !== undefined) await readyOrStopped(options.ready)
      if (!running()) break
      try {
        pull = await consumer.fetch({ max_messages: room(), expires: PULL_EXPIRES_MS })
        for await (const message of pull) {
          // Arrived after stop(): straight back for another holder.
          if (stopping) message.nak()
          else slots.start(handle(message))
        }
      } catch (error) {
        if (stopping) break
        onError(error)
        await new Promise((resolve) => setTimeout(resolve, PULL_RETRY_MS))
      } finally {
        pull = undefined
      }
    }
  })()

  return {
    async stop () {
      stopping = true
      for (const wake of stopWaiters) wake()
      slots.wakeAll()
      await pull?.close()
      await loop
      await slots.settled()
    }
  }
}

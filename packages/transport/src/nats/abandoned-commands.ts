import { setMaxListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { backoffDelay, type Backoff } from '@beacon/backoff'
import type { NatsNames } from '@beacon/contracts'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { commandCodec } from '../codec.js'
import type { AbandonedCommand, Stoppable } from '../transport.js'

/** The fields of JetStream's max-deliveries advisory that say which message it gave up on. */
interface MaxDeliveriesAdvisory { stream: string, stream_seq: number, deliveries: number }

// The advisory is not redelivered: a handler that fails (the database briefly unreachable) is
// tried again a few times, spaced out, before the command is left in the stream. Half of each
// delay is random so that api instances failing together do not come back together.
const HANDLER_ATTEMPTS = 5
const HANDLER_RETRY: Backoff = { baseMs: 2000, maxMs: 8000, jitter: 0.5 }

/** How long the handler waits before retry number `attempt` (1 after the first failure). */
export const handlerRetryDelay = (attempt: number, random?: () => number): number => backoffDelay(HANDLER_RETRY, attempt, random)

/** Stopping, a handler waiting to retry makes its last attempt this soon (or when its wait ends, if sooner). */
export const LAST_ATTEMPT_WAIT_MS = 500

function parseAdvisory (data: Uint8Array): MaxDeliveriesAdvisory {
  const value = JSON.parse(new TextDecoder().decode(data)) as Partial<MaxDeliveriesAdvisory>
  if (typeof value.stream !== 'string' || typeof value.stream_seq !== 'number') {
    throw new Error('max-deliveries advisory without a stream sequence')
  }
  return { stream: value.stream, stream_seq: value.stream_seq, deliveries: value.deliveries ?? 0 }
}

/**
 * Listens (in a queue group: one api instance per advisory) to JetStream's word that the
 * dispatchers' consumer gave up on a command, reads that command from the stream by its sequence
 * and hands it over; `remove` deletes it from the work queue once its terminal state is recorded.
 */
export function abandonedCommands (
  nc: NatsConnection, names: NatsNames, handler: (abandoned: AbandonedCommand) => Promise<void>, onError: (error: unknown) => void,
  retryDelay: (attempt: number) => number = handlerRetryDelay
): Stoppable {
  let jsm: Promise<JetStreamManager> | undefined
  const manager = async () => await (jsm ??= jetstreamManager(nc))
  const running = new Set<Promise<void>>()
  // Stopping wakes the handlers waiting to retry: the api's close waited out their sleeps (up to
  // 8 s, its whole default shutdown deadline). Each makes one last attempt, within
  // LAST_ATTEMPT_WAIT_MS (a database failing over gets that moment), and no other; a handler
  // failing while the stop comes does the same. A command whose last attempt fails is left in the
  // stream, as after its fifth. Every waiting handler listens to the one signal: no warning for
  // more than ten (an outage is when they pile up).
  const stopping = new AbortController()
  setMaxListeners(0, stopping.signal)

  const handle = async (data: Uint8Array) => {
    const advisory = parseAdvisory(data)
    const stored = await (await manager()).streams.getMessage(advisory.stream, { seq: advisory.stream_seq })
    // Gone already: another listener (or an operator) removed it.
    if (stored === null) return
    const abandoned: AbandonedCommand = {
      command: commandCodec.decode(stored.data),
      deliveries: advisory.deliveries,
      remove: async () => { await (await manager()).streams.deleteMessage(advisory.stream, advisory.stream_seq) }
    }
    let lastChance = false
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(abandoned)
        return
      } catch (error) {
        if (attempt >= HANDLER_ATTEMPTS || lastChance) throw error
        onError(error)
        const delayMs = retryDelay(attempt)
        const waitFrom = Date.now()
        if (!stopping.signal.aborted) await sleep(delayMs, undefined, { signal: stopping.signal }).catch(() => {})
        if (stopping.signal.aborted) {
          const left = delayMs - (Date.now() - waitFrom)
          if (left > 0) await sleep(Math.min(left, LAST_ATTEMPT_WAIT_MS))
          lastChance = true
        }
      }
    }
  }

  const subscription = nc.subscribe(names.commandMaxDeliveriesAdvisory, {
    queue: names.abandonedCommandRecorders,
    callback: (error, message) => {
      if (error !== null) { onError(error); return }
      const work = handle(message.data).catch(onError).finally(() => running.delete(work))
      running.add(work)
    }
  })
  return {
    stop: async () => {
      stopping.abort()
      subscription.unsubscribe()
      await Promise.all(running)
    }
  }
}

import type { Message, Messaging, SendResponse } from 'firebase-admin/messaging'
import type { SendOutcome } from '../sender.js'
import { connectingTo, type FcmConnector } from './fcm-endpoint-connection.js'

/** firebase-admin's most messages in one sendEach (FCM_MAX_BATCH_SIZE). */
export const SEND_EACH_MAX = 500

/** A device's message waiting for its batch, and how to tell its sender the outcome. */
export interface QueuedSend { message: Message, token: string, settle: (outcome: SendOutcome) => void }

export interface FcmBatchOptions {
  /** FCM_CONCURRENCY: streams (requests) in flight at once, all applications together. */
  concurrency: number
  /** FCM_ENDPOINT's connection, or null for Google's (firebase-admin's own). */
  connector: FcmConnector | null
  /** The outcome of one device from its SendResponse. */
  outcomeOf: (token: string, response: SendResponse) => SendOutcome
  /** The outcome of every device of a call that failed as a whole, with none of its own answers. */
  batchFailed: (error: unknown) => SendOutcome
}

/**
 * Gathers the sends of every command into firebase-admin `sendEach` calls: one HTTP/2 connection
 * per call (firebase-admin opens it and closes it when every answer is in), each message a stream.
 * The dispatcher hands devices over one at a time as slots free; the sends asked for within one
 * turn of the event loop (setImmediate) go out together, up to 500 per call and never more than
 * `concurrency` streams in flight across calls. A call answers all its devices at once, when its
 * last stream ends (or FCM_TIMEOUT_MS ends it).
 */
export function createFcmBatches (options: FcmBatchOptions) {
  const queues = new Map<Messaging, QueuedSend[]>()
  let inFlight = 0
  let scheduled = false

  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }

  function flush (): void {
    scheduled = false
    for (const [messaging, queue] of queues) {
      while (queue.length > 0 && inFlight < options.concurrency) {
        const batch = queue.splice(0, Math.min(SEND_EACH_MAX, options.concurrency - inFlight))
        inFlight += batch.length
        void sendBatch(messaging, batch).finally(() => {
          inFlight -= batch.length
          schedule()
        })
      }
      if (queue.length === 0) queues.delete(messaging)
      if (inFlight >= options.concurrency) return
    }
  }

  async function sendBatch (messaging: Messaging, batch: QueuedSend[]): Promise<void> {
    let responses: SendResponse[] | undefined
    let failure: unknown
    try {
      responses = (await connectingTo(options.connector, () => messaging.sendEach(batch.map((item) => item.message)))).responses
    } catch (error) {
      // A session error (connection refused or lost, GOAWAY) fails the call; its requests' own
      // answers are in pendingBatchResponse once they have all ended.
      failure = error
      const pending = (error as { pendingBatchResponse?: Promise<{ responses: SendResponse[] }> }).pendingBatchResponse
      responses = pending === undefined ? undefined : (await pending.catch(() => undefined))?.responses
    }
    batch.forEach((item, index) => {
      const response = responses?.[index]
      item.settle(response === undefined ? options.batchFailed(failure) : options.outcomeOf(item.token, response))
    })
  }

  return {
    /** Queues one device's message for the next batch of `messaging`'s application. */
    send (messaging: Messaging, item: QueuedSend): void {
      const queue = queues.get(messaging)
      if (queue === undefined) queues.set(messaging, [item])
      else queue.push(item)
      schedule()
    }
  }
}

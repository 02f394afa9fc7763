import { callbackMessageId, commandId, type CallbackCommand, type ChunkSummary, type Command, type DeviceResult, type InAppBroadcast, type MessageSummary } from '@beacon/contracts'
import type { ResultEvent, Stoppable, SummaryWatch, Transport } from '../transport.js'
import { RecentIds } from './recent-ids.js'
import { WorkQueue } from './work-queue.js'

/**
 * The transport of the embedded default: api and dispatcher in one process, no NATS. Same
 * contract as the NATS transport (idempotent publishing, redelivery of unsettled commands), minus
 * durability — a process that dies takes its queue with it.
 */
export function createMemoryTransport (options: { onError?: (error: unknown) => void } = {}): Transport {
  const onError = options.onError ?? (() => {})
  const commands = new WorkQueue<Command>(onError)
  const callbacks = new WorkQueue<CallbackCommand>(onError)
  const inAppHandlers = new Set<(route: InAppBroadcast) => void>()
  const seenCallbacks = new RecentIds()
  const results: ResultEvent[] = []
  const seenCommands = new RecentIds()
  const seenResults = new RecentIds()
  const watchers = new Map<string, Set<(summary: MessageSummary) => void>>()
  let resultPump: (() => void) | undefined
  let closed = false

  function runResults (handler: (events: ResultEvent[]) => Promise<void>, maxBatch: number): Stoppable {
    let busy: Promise<void> | undefined
    const pump = () => {
      if (busy !== undefined || results.length === 0 || closed) return
      const batch = results.splice(0, maxBatch)
      busy = handler(batch)
        .catch((error: unknown) => { onError(error); results.unshift(...batch) })
        .finally(() => { busy = undefined; setImmediate(pump) })
    }
    resultPump = pump
    pump()
    return { stop: async () => { resultPump = undefined; await busy } }
  }

  const publishDeviceResults = async (list: DeviceResult[]) => {
    for (const result of list) {
      const key = 'messageId' in result ? `${result.messageId}:${result.deviceId}` : `campaign-${result.campaignId}:${result.deviceId}`
      if (seenResults.add(key)) results.push({ kind: 'device', result })
    }
    resultPump?.()
  }

  return {
    async publishCommand (command) {
      if (seenCommands.add(commandId(command))) commands.push(command)
    },
    consumeCommands (handler, { concurrency, chunkConcurrency = concurrency, maxDeliver, ready }) {
      // As the NATS transport's: counted as each is handed over, uncounted as it ends.
      let chunksInHand = 0
      return commands.consume(async (item) => {
        const chunk = item.value.kind === 'campaign-chunk'
        if (chunk) chunksInHand++
        try {
          await handler({
            command: item.value,
            deliveryCount: item.deliveryCount,
            firstDelivery: item.deliveryCount === 1 && !item.handedBack,
            lastDelivery: item.lastDelivery,
            working: () => {},
            ack: item.ack,
            retry: item.retry,
            handBack: item.handBack
          })
        } finally {
          if (chunk) chunksInHand--
        }
      }, { concurrency, pullLimit: () => chunkConcurrency - chunksInHand, ...(maxDeliver === undefined ? {} : { maxDeliver }), ...(ready === undefined ? {} : { ready }) })
    },
    publishDeviceResults,
    async publishSummary (summary, devices = []) {
      if (!seenResults.add(`summary:${summary.messageId}`)) return
      await publishDeviceResults(devices)
      results.push({ kind: 'summary', summary })
      for (const notify of watchers.get(summary.messageId) ?? []) notify(summary)
      resultPump?.()
    },
    async publishChunkSummary (summary: ChunkSummary) {
      if (!seenResults.add(`chunk:${summary.campaignId}:${summary.chunk}`)) return
      results.push({ kind: 'chunk', summary })
      resultPump?.()
    },
    consumeResults: (handler, { maxBatch }) => runResults(handler, maxBatch),
    watchSummary (messageId): SummaryWatch {
      let notify: (summary: MessageSummary | null) => void = () => {}
      const arrived = new Promise<MessageSummary | null>((resolve) => { notify = resolve })
      const set = watchers.get(messageId) ?? new Set()
      set.add(notify)
      watchers.set(messageId, set)
      const cancel = () => {
        set.delete(notify)
        if (set.size === 0) watchers.delete(messageId)
        notify(null)
      }
      return {
        async wait (timeoutMs) {
          const timer = setTimeout(cancel, timeoutMs)
          try { return await arrived } finally { clearTimeout(timer); cancel() }
        },
        cancel
      }
    },
    async publishCallback (callback) {
      if (seenCallbacks.add(callbackMessageId(callback))) callbacks.push(callback)
    },
    consumeCallbacks: (handler, { concurrency }) => callbacks.consume((item) => handler({
      callback: item.value,
      deliveryCount: item.deliveryCount,
      working: () => {},
      ack: item.ack,
      retry: item.retry,
      drop: item.drop
    }), { concurrency }),
    // The in-process queue never gives a command up (it redelivers until settled): nothing to hear.
    consumeAbandonedCommands: () => ({ stop: async () => {} }),

    async publishInApp (event) {
      // Asynchronous like a network hop: a publisher never runs its subscribers' code inline.
      for (const handler of inAppHandlers) setImmediate(() => { try { handler(event) } catch (error) { onError(error) } })
    },
    // In process: there is no connection to lose.
    watchConnection: () => ({ stop: async () => {} }),
    checkReady: async () => {},
    queueState: async () => [],
    subscribeInApp (handler) {
      inAppHandlers.add(handler)
      return { stop: async () => { inAppHandlers.delete(handler) } }
    },
    async close () {
      closed = true
      commands.close()
      callbacks.close()
      inAppHandlers.clear()
    }
  }
}

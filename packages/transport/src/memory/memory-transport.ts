import { commandId, type ChunkSummary, type Command, type DeviceResult, type MessageSummary } from '@beacon/contracts'
import type { CommandDelivery, ResultEvent, Stoppable, SummaryWatch, Transport } from '../transport.js'
import { RecentIds } from './recent-ids.js'

/**
 * The transport of the embedded default: api and dispatcher in one process, no NATS. Same
 * contract as the NATS transport (idempotent publishing, redelivery of unsettled commands), minus
 * durability — a process that dies takes its queue with it.
 */
export function createMemoryTransport (options: { onError?: (error: unknown) => void } = {}): Transport {
  const onError = options.onError ?? (() => {})
  const commands: Array<{ command: Command, deliveryCount: number }> = []
  const results: ResultEvent[] = []
  const seenCommands = new RecentIds()
  const seenResults = new RecentIds()
  const watchers = new Map<string, Set<(summary: MessageSummary) => void>>()
  let commandPump: (() => void) | undefined
  let resultPump: (() => void) | undefined
  let closed = false
  const open = () => !closed

  function runCommands (handler: (delivery: CommandDelivery) => Promise<void>, concurrency: number): Stoppable {
    let active = 0
    const running = new Set<Promise<void>>()
    const pump = () => {
      while (open() && active < concurrency && commands.length > 0) {
        const item = commands.shift()!
        let settled = false
        const requeue = (delayMs = 0) => {
          settled = true
          setTimeout(() => { commands.push({ command: item.command, deliveryCount: item.deliveryCount + 1 }); commandPump?.() }, delayMs).unref()
        }
        const delivery: CommandDelivery = {
          command: item.command,
          deliveryCount: item.deliveryCount,
          working: () => {},
          ack: async () => { settled = true },
          retry: requeue
        }
        active++
        const work = handler(delivery)
          .catch((error: unknown) => { onError(error); if (!settled) requeue(1000) })
          .finally(() => { active--; running.delete(work); pump() })
        running.add(work)
      }
    }
    commandPump = pump
    pump()
    return { stop: async () => { commandPump = undefined; await Promise.all(running) } }
  }

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

  return {
    async publishCommand (command) {
      if (!seenCommands.add(commandId(command))) return
      commands.push({ command, deliveryCount: 1 })
      commandPump?.()
    },
    consumeCommands: (handler, { concurrency }) => runCommands(handler, concurrency),
    async publishDeviceResults (list: DeviceResult[]) {
      for (const result of list) {
        const key = 'messageId' in result ? `${result.messageId}:${result.deviceId}` : `campaign-${result.campaignId}:${result.deviceId}`
        if (seenResults.add(key)) results.push({ kind: 'device', result })
      }
      resultPump?.()
    },
    async publishSummary (summary) {
      if (!seenResults.add(`summary:${summary.messageId}`)) return
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
    async close () { closed = true }
  }
}

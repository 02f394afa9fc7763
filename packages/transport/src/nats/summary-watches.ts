import type { MessageSummary, NatsNames } from '@beacon/contracts'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { messageSummaryCodec } from '../codec.js'
import type { SummaryWatch } from '../transport.js'

interface Entry { summary?: MessageSummary, deliver?: (summary: MessageSummary | null) => void }

/**
 * Summaries awaited by synchronous sends: one subscription to every summary subject, opened on the
 * first watch, and a map of the messages awaited. A subscription per send cost two protocol
 * operations (SUB, UNSUB) and the server's interest bookkeeping for every message. NATS handles a
 * connection's operations in order, so the subscription is in place before any command published
 * after it: no summary is missed. Summaries nobody here awaits are not decoded.
 */
export function summaryWatches (nc: NatsConnection, names: NatsNames, onError: (error: unknown) => void) {
  const awaited = new Map<string, Entry>()
  const prefix = names.summarySubject('')
  let subscription: Subscription | undefined

  const open = () => {
    subscription ??= nc.subscribe(names.allSummaries, {
      callback: (error, message) => {
        if (error !== null) { onError(error); return }
        const entry = awaited.get(message.subject.slice(prefix.length))
        if (entry === undefined || entry.summary !== undefined) return
        try {
          entry.summary = messageSummaryCodec.decode(message.data)
        } catch (failure) {
          onError(failure)
          return
        }
        entry.deliver?.(entry.summary)
      }
    })
  }

  return {
    watch (messageId: string): SummaryWatch {
      open()
      const entry: Entry = {}
      awaited.set(messageId, entry)
      return {
        wait: (timeoutMs) => new Promise<MessageSummary | null>((resolve) => {
          const settle = (summary: MessageSummary | null) => {
            clearTimeout(timer)
            awaited.delete(messageId)
            resolve(summary)
          }
          const timer = setTimeout(() => settle(null), timeoutMs)
          if (entry.summary !== undefined) settle(entry.summary)
          else entry.deliver = settle
        }),
        // A wait in progress ends with null (as the memory transport's), its timer with it.
        cancel: () => {
          awaited.delete(messageId)
          entry.deliver?.(null)
        }
      }
    }
  }
}

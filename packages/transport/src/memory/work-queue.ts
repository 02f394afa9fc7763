import type { Stoppable } from '../transport.js'

/** One item handed to a consumer. Settle it once; an unsettled item whose handler throws comes back. */
export interface QueuedItem<T> {
  value: T
  deliveryCount: number
  ack (): Promise<void>
  retry (delayMs?: number): void
  drop (): Promise<void>
}

/**
 * An in-process work queue with the redelivery rules of a JetStream work-queue consumer: at most
 * `concurrency` items in flight, `retry` puts an item back after a delay with its delivery count
 * raised, and a handler that throws without settling gets it back after a second.
 */
export class WorkQueue<T> {
  private readonly items: Array<{ value: T, deliveryCount: number }> = []
  private pump: (() => void) | undefined
  private closed = false

  constructor (private readonly onError: (error: unknown) => void) {}

  push (value: T, deliveryCount = 1): void {
    this.items.push({ value, deliveryCount })
    this.pump?.()
  }

  consume (handler: (item: QueuedItem<T>) => Promise<void>, concurrency: number): Stoppable {
    let active = 0
    const running = new Set<Promise<void>>()
    const pump = () => {
      while (!this.closed && active < concurrency && this.items.length > 0) {
        const entry = this.items.shift()!
        let settled = false
        const requeue = (delayMs = 0) => {
          settled = true
          setTimeout(() => this.push(entry.value, entry.deliveryCount + 1), delayMs).unref()
        }
        const item: QueuedItem<T> = {
          value: entry.value,
          deliveryCount: entry.deliveryCount,
          ack: async () => { settled = true },
          retry: requeue,
          drop: async () => { settled = true }
        }
        active++
        const work = handler(item)
          .catch((error: unknown) => { this.onError(error); if (!settled) requeue(1000) })
          .finally(() => { active--; running.delete(work); pump() })
        running.add(work)
      }
    }
    this.pump = pump
    pump()
    return { stop: async () => { this.pump = undefined; await Promise.all(running) } }
  }

  close (): void { this.closed = true }
}

import type { Stoppable } from '../transport.js'

/** One item handed to a consumer. Settle it once; an unsettled item whose handler throws comes back. */
export interface QueuedItem<T> {
  value: T
  deliveryCount: number
  /** A copy `handBack` queued: with the count, what tells a first delivery (as the NATS transport's firstDelivery). */
  handedBack: boolean
  /** No further delivery follows (the consumer's maxDeliver is reached). */
  lastDelivery: boolean
  ack (): Promise<void>
  retry (delayMs?: number): void
  /** Back at the end of the queue with the same delivery count (as the NATS transport's copy). */
  handBack (): Promise<void>
  drop (): Promise<void>
}

export interface ConsumeOptions {
  concurrency: number
  /** Deliveries before an item is given up, as JetStream's max_deliver (default: never). */
  maxDeliver?: number
  /** Awaited before an item is handed over (the consumer's outage gate). */
  ready?: () => Promise<void>
  /** How many more items may start now, below the free slots; asked before each (0: nothing until some work ends). */
  pullLimit?: () => number
}

/** An item as the queue keeps it between deliveries. */
interface Entry<T> { value: T, deliveryCount: number, handedBack: boolean }

/**
 * An in-process work queue with the redelivery rules of a JetStream work-queue consumer: at most
 * `concurrency` items in flight, `retry` puts an item back after a delay with its delivery count
 * raised (dropped once it had `maxDeliver` deliveries), and a handler that throws without settling
 * gets it back after a second.
 */
export class WorkQueue<T> {
  private readonly items: Array<Entry<T>> = []
  private pump: (() => void) | undefined
  private closed = false

  constructor (private readonly onError: (error: unknown) => void) {}

  push (value: T, deliveryCount = 1, handedBack = false): void {
    this.items.push({ value, deliveryCount, handedBack })
    this.pump?.()
  }

  consume (handler: (item: QueuedItem<T>) => Promise<void>, options: ConsumeOptions): Stoppable {
    const { concurrency, maxDeliver = Number.POSITIVE_INFINITY, ready, pullLimit } = options
    let active = 0
    // Asked again before each item: `active` and what pullLimit counts rise as an item starts.
    const room = () => Math.min(concurrency - active, pullLimit?.() ?? Number.POSITIVE_INFINITY)
    let gated = false
    const running = new Set<Promise<void>>()
    const start = (entry: Entry<T>) => {
      let settled = false
      const requeue = (delayMs = 0) => {
        settled = true
        if (entry.deliveryCount >= maxDeliver) return
        setTimeout(() => this.push(entry.value, entry.deliveryCount + 1), delayMs).unref()
      }
      const item: QueuedItem<T> = {
        value: entry.value,
        deliveryCount: entry.deliveryCount,
        handedBack: entry.handedBack,
        lastDelivery: entry.deliveryCount >= maxDeliver,
        ack: async () => { settled = true },
        retry: requeue,
        handBack: async () => { settled = true; this.push(entry.value, entry.deliveryCount, true) },
        drop: async () => { settled = true }
      }
      active++
      const work = handler(item)
        .catch((error: unknown) => { this.onError(error); if (!settled) requeue(1000) })
        .finally(() => { active--; running.delete(work); pump() })
      running.add(work)
    }
    const startFree = () => {
      // start() raises `active`.
      while (room() > 0 && this.pump === pump && !this.closed && this.items.length > 0) start(this.items.shift()!)
    }
    // Like a pull: once the consumer is ready (at once when it is), as many as there is room for.
    const pump = () => {
      if (gated || this.pump !== pump || this.closed || room() <= 0 || this.items.length === 0) return
      if (ready === undefined) { startFree(); return }
      gated = true
      ready().then(() => { gated = false; startFree() }, this.onError)
    }
    this.pump = pump
    pump()
    return { stop: async () => { this.pump = undefined; await Promise.all(running) } }
  }

  close (): void { this.closed = true }
}

/**
 * Requests a sender can have in flight, shared by every command this dispatcher holds (per APNs
 * application, one for FCM; never more than the sender's own limiter). A command claims a window
 * of devices (`batch`) ahead and sends them as slots free, so the claims unanswered are the
 * requests in flight plus at most one window per command: a dispatcher that dies leaves no more
 * unanswered claims than that, never a whole chunk.
 *
 * `take(want, atLeast)` waits, in order of asking, until `atLeast` slots are free, then takes as
 * many as are free up to `want`.
 */
export class SendSlots {
  private free: number
  private readonly waiters: Array<{ want: number, atLeast: number, grant: (n: number) => void }> = []

  constructor (readonly capacity: number) {
    this.free = capacity
  }

  /** The devices claimed in one statement, ahead of their slots (one window per command and sender). */
  get batch (): number { return Math.max(1, Math.floor(this.capacity / 8)) }

  /** Resolves with the slots taken (0 if `signal` aborted first). */
  take (want: number, atLeast: number, signal?: AbortSignal): Promise<number> {
    const floor = Math.max(1, Math.min(want, atLeast, this.capacity))
    if (this.waiters.length === 0 && this.free >= floor) {
      const n = Math.min(want, this.free)
      this.free -= n
      return Promise.resolve(n)
    }
    if (signal?.aborted === true) return Promise.resolve(0)
    return new Promise((resolve) => {
      const waiter = {
        want,
        atLeast: floor,
        grant: (n: number) => { signal?.removeEventListener('abort', abandon); resolve(n) }
      }
      const abandon = () => {
        const index = this.waiters.indexOf(waiter)
        if (index !== -1) this.waiters.splice(index, 1)
        resolve(0)
        this.serve()
      }
      signal?.addEventListener('abort', abandon, { once: true })
      this.waiters.push(waiter)
    })
  }

  give (n: number): void {
    if (n <= 0) return
    this.free += n
    this.serve()
  }

  private serve (): void {
    while (this.waiters.length > 0 && this.free >= this.waiters[0]!.atLeast) {
      const waiter = this.waiters.shift()!
      const n = Math.min(waiter.want, this.free)
      this.free -= n
      waiter.grant(n)
    }
  }
}

/** The slots of each sender, created as senders are first used. */
export function sendSlotsRegistry (capacity: { APNS: number, FCM: number }) {
  const slots = new Map<string, SendSlots>()
  return {
    /** APNs: one HTTP/2 provider (and its stream limit) per application; FCM: one limiter for all. */
    of (platform: 'APNS' | 'FCM', applicationId: number): SendSlots {
      const key = platform === 'APNS' ? `APNS:${applicationId}` : 'FCM'
      let entry = slots.get(key)
      if (entry === undefined) slots.set(key, entry = new SendSlots(capacity[platform]))
      return entry
    }
  }
}
export type SendSlotsRegistry = ReturnType<typeof sendSlotsRegistry>

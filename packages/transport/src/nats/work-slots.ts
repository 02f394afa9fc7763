/**
 * Work in flight, at most `concurrency` at once: what the consumers start, wait for a free slot
 * on, and wait to settle on stop. Every waiter is woken when a slot frees (each re-checks its own
 * condition), and a failed piece of work goes to `onError`.
 */
export function workSlots (concurrency: number, onError: (error: unknown) => void) {
  const inFlight = new Set<Promise<void>>()
  let waiters: Array<() => void> = []
  const wakeAll = () => {
    const woken = waiters
    waiters = []
    for (const wake of woken) wake()
  }
  return {
    /** Slots not taken. */
    free: () => concurrency - inFlight.size,
    start (work: Promise<void>): void {
      const tracked = work.catch(onError).finally(() => {
        inFlight.delete(tracked)
        wakeAll()
      })
      inFlight.add(tracked)
    },
    /** Resolves at the next freed slot (or wakeAll). */
    freed: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wakeAll,
    settled: async () => { await Promise.all(inFlight) }
  }
}

/**
 * The shutdown deadline of a dispatcher: read at once (`passed`), awaited (`reached`: only where
 * it happens once per stop), or listened to and let go (`onReached`). A run's steps ask it many
 * times over a dispatcher's life; a `then` on a promise that resolves only at the stop would stay
 * attached until then, for every step of every command.
 */
export interface Deadline {
  readonly passed: boolean
  readonly reached: Promise<void>
  /** Calls `listener` when the deadline passes (at once if it has); the result stops listening. */
  onReached (listener: () => void): () => void
}

export function createDeadline (): Deadline & { reach (): void } {
  const listeners = new Set<() => void>()
  let passed = false
  let settle: () => void = () => {}
  const reached = new Promise<void>((resolve) => { settle = resolve })
  return {
    get passed () { return passed },
    reached,
    onReached (listener) {
      if (passed) {
        listener()
        return () => {}
      }
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    reach () {
      if (passed) return
      passed = true
      settle()
      for (const listener of [...listeners]) listener()
      listeners.clear()
    }
  }
}

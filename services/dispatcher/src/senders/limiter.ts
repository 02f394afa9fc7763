/**
 * At most `max` tasks at once, the rest waiting their turn in order. Provider requests go
 * through one of these: a request queued inside the HTTP client instead would count its waiting
 * time against the request timeout, time out while the provider still answers it, and be sent
 * again — a duplicate notification.
 */
export function createLimiter (max: number) {
  let active = 0
  const waiting: Array<() => void> = []
  return async function run<T> (task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
export type Limiter = ReturnType<typeof createLimiter>

// When a callback runs: the send loop's heartbeat at most once a second (deliver.ts), a chunk's
// "only answers left" once both platforms have said so, and its sending place given back once.

/** `fn`, run at most once per `gapMs`, the first time `gapMs` after this call; calls in between are dropped. */
export function throttle (fn: () => void, gapMs: number): () => void {
  let last = performance.now()
  return () => {
    const now = performance.now()
    if (now - last < gapMs) return
    last = now
    fn()
  }
}

/** `fn`, its first call only. */
export function once (fn: () => void): () => void {
  let called = false
  return () => {
    if (called) return
    called = true
    fn()
  }
}

/** `fn` once, on the `count`th call. */
export function afterCalls (count: number, fn: () => void): () => void {
  let left = count
  return () => { if (--left === 0) fn() }
}

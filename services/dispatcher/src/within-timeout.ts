/**
 * `promise`'s value, or `fallback` if it has not settled within `ms`: for a scrape or a check
 * that must not hang on a part that does not answer. The timer keeps no process alive.
 */
export function withinTimeout<T> (promise: Promise<T>, fallback: T, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<T>((resolve) => { timer = setTimeout(() => { resolve(fallback) }, ms).unref() })
  return Promise.race([promise, late]).finally(() => { clearTimeout(timer) })
}

import { useCallback, useEffect, useState } from 'preact/hooks'
import { asPoll } from '../api.ts'

/** Runs a promise from an event handler, which cannot wait for it; its own errors are shown where it ran. */
export function detach (promise: Promise<unknown>): void {
  promise.catch((error: unknown) => { console.error(error) })
}

/** Loads data when `deps` change and on `reload()`; keeps the last good value while reloading. */
export function useLoad<T> (load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const run = useCallback(async () => {
    setLoading(true)
    try {
      setValue(await load())
      setError(null)
    } catch (failure) {
      setError(failure)
    } finally {
      setLoading(false)
    }
  }, deps)
  useEffect(() => { detach(run()) }, [run])
  return { value, error, loading, reload: run }
}

/**
 * Calls `tick` every `ms` while the component is shown. What it requests (synchronously, as the
 * loads here do) is marked a poll: it does not keep the session from its idle timeout (api.ts).
 */
export function useInterval (tick: () => void, ms: number | null) {
  useEffect(() => {
    if (ms === null) return
    const timer = setInterval(() => { asPoll(tick) }, ms)
    return () => clearInterval(timer)
  }, [tick, ms])
}

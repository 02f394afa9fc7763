import { useCallback, useEffect, useState } from 'preact/hooks'
import { call } from '../api.ts'
import { detach } from './data.ts'

/**
 * A console list read a keyset page at a time (README "Console reads"): the first page when
 * `request` changes, the next one on `more()`, appended, until `nextCursor` is null.
 * `request` is null while the list cannot be asked for yet (no application chosen).
 */
export function useKeysetList<T> (path: string, listField: string, request: Record<string, unknown> | null, limit = 20) {
  const [entries, setEntries] = useState<T[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(false)
  const key = request === null ? null : JSON.stringify(request)
  const load = useCallback(async (after: string | null) => {
    if (key === null) return
    setLoading(true)
    try {
      const page = await call<Record<string, unknown>>('POST', path, { ...JSON.parse(key), limit, cursor: after })
      const list = page[listField] as T[]
      setEntries((shown) => after === null ? list : [...shown, ...list])
      setCursor(page.nextCursor as string | null)
      setError(null)
    } catch (failure) {
      setError(failure)
    } finally {
      setLoading(false)
    }
  }, [path, listField, key, limit])
  useEffect(() => {
    setEntries([])
    setCursor(null)
    detach(load(null))
  }, [load])
  return {
    entries,
    error,
    loading,
    hasMore: cursor !== null,
    more: async () => { await load(cursor) },
    reload: async () => { await load(null) }
  }
}

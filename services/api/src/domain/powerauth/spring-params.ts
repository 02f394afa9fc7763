import { MAX_PAGE_SIZE, SPRING_TRUE_WORDS } from '@beacon/contracts'

/**
 * Query parameters as PowerAuth's Spring controllers read them (the schemas checked their form):
 * a boolean is one of Spring's words in any case, empty for the default; a page size above
 * Spring Data's maximum counts as the maximum, and the answer says so.
 */
export function springBoolean (value: string | undefined, fallback: boolean): boolean {
  const word = value?.trim().toLowerCase() ?? ''
  if (word === '') return fallback
  return (SPRING_TRUE_WORDS as readonly string[]).includes(word)
}

/** 0-based `page` (default 0) of `size` items (default `defaultSize`, at most MAX_PAGE_SIZE). */
export function springPage (query: { page?: string, size?: string }, defaultSize: number): { page: number, size: number } {
  const page = Number(query.page ?? 0)
  const size = Math.min(Number(query.size ?? defaultSize), MAX_PAGE_SIZE)
  return { page, size }
}

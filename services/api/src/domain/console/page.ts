import { DEFAULT_PAGE_LIMIT } from '@beacon/contracts'
import { badRequest } from '../../errors.js'

/**
 * The console's keyset pages. A cursor is the sort key of a page's last entry, named by its list
 * and base64url-encoded: opaque to clients (the key may change), and refused when it is not one of
 * this list's (another list's cursor would otherwise page by a key it does not sort by).
 */

export interface PageRequest {
  limit?: number | undefined
  cursor?: string | null | undefined
}

export interface Page<T> {
  entries: T[]
  nextCursor: string | null
}

export function encodeCursor (list: string, key: string[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url')
}

/**
 * The sort key a cursor of `list` names (`size` parts, each checked by `valid`), or null without
 * one (the first page). Anything else is a 400: the client must pass nextCursor back unchanged.
 */
export function decodeCursor (list: string, cursor: string | null | undefined, size: number, valid: (part: string, index: number) => boolean): string[] | null {
  if (cursor === undefined || cursor === null) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  if (!Array.isArray(parsed) || parsed.length !== size + 1 || parsed[0] !== list ||
      !parsed.slice(1).every((part, index) => typeof part === 'string' && valid(part, index))) {
    throw badRequest('requestObject.cursor is not a cursor of this list: pass the nextCursor of the previous page unchanged')
  }
  return parsed.slice(1) as string[]
}

/** How many rows to read: one more than the page holds, to tell whether another page follows. */
export const rowsToRead = (request: PageRequest) => (request.limit ?? DEFAULT_PAGE_LIMIT) + 1

/** The page of `rows` (read with rowsToRead), its cursor from the last entry's key when more follow. */
export function pageOf<R, T> (list: string, request: PageRequest, rows: R[], keyOf: (row: R) => string[], entryOf: (row: R) => T): Page<T> {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return {
    entries: shown.map(entryOf),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(list, keyOf(last)) : null
  }
}

/** Cursor parts: a bigint id in digits, a timestamp as toISOString writes it, a UUID. */
export const isDigits = (part: string) => /^[0-9]{1,19}$/.test(part) && BigInt(part) <= 9223372036854775807n
// Exactly as written (no 30 February rolled over into March): PostgreSQL refuses what Date accepts.
export const isIsoTimestamp = (part: string) => {
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(part) ? new Date(part) : null
  // Year 1 at the earliest: JavaScript writes year 0 back as it reads it, PostgreSQL refuses it.
  return time !== null && !Number.isNaN(time.getTime()) && time.toISOString() === part && time.getUTCFullYear() >= 1
}
export const isUuid = (part: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(part)

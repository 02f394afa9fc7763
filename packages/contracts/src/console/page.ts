import { Type } from 'typebox'

/**
 * The console's lists page with a keyset: each answer ends with `nextCursor`, an opaque text naming
 * the last entry it holds, which the next request passes back as `cursor` to get the entries after
 * it (null when there are none). Entries written meanwhile neither repeat nor shift a page, as
 * offsets would.
 */

export const DEFAULT_PAGE_LIMIT = 50
export const MAX_PAGE_LIMIT = 200

/** The request fields of a page: how many entries, and after which (absent or null: from the first). */
export const pageFields = {
  limit: Type.Optional(Type.Integer({
    minimum: 1, maximum: MAX_PAGE_LIMIT, description: `a page size from 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`
  })),
  cursor: Type.Optional(Type.Union([
    Type.String({ minLength: 1, maxLength: 512, description: 'the nextCursor of the previous page, unchanged' }),
    Type.Null()
  ], { description: 'the nextCursor of the previous page, unchanged (absent or null: the first page)' }))
}

/** Ends every page of an answer, after its entries. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'the cursor of the next page (pass it unchanged); null after the last page'
})

/** Stable error codes of @beacon/db. */
export const DbErrorCode = {
  MIGRATION_FAILED: 'DB_MIGRATION_FAILED',
  MIGRATION_MODIFIED: 'DB_MIGRATION_MODIFIED',
  SECRET_KEY_INVALID: 'DB_SECRET_KEY_INVALID',
  SECRET_UNREADABLE: 'DB_SECRET_UNREADABLE'
} as const
export type DbErrorCode = typeof DbErrorCode[keyof typeof DbErrorCode]

export class DbError extends Error {
  override name = 'DbError'
  constructor (readonly code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Stable error codes of @beacon/db. */
export const DbErrorCode = {
  MIGRATION_FAILED: 'DB_MIGRATION_FAILED',
  MIGRATION_MODIFIED: 'DB_MIGRATION_MODIFIED',
  SECRET_KEY_INVALID: 'DB_SECRET_KEY_INVALID',
  /** A sealed value does not open for the place it was read from: another master key, copied from another row or column, or altered. */
  SECRET_UNREADABLE: 'DB_SECRET_UNREADABLE',
  /**
   * A value of the version-1 format (no place bound): opened only by the one-time upgrade that
   * re-seals it; found after that upgrade, it is refused everywhere (api start, rotation, reads).
   */
  SECRET_LEGACY_FORMAT: 'DB_SECRET_LEGACY_FORMAT',
  /** The master-key rotation found values the current key cannot open, and changed nothing. */
  SECRET_ROTATION_REFUSED: 'DB_SECRET_ROTATION_REFUSED',
  /** The answer to the rotation's COMMIT was lost and the database could not say how it ended: it may have been applied. */
  SECRET_ROTATION_OUTCOME_UNKNOWN: 'DB_SECRET_ROTATION_OUTCOME_UNKNOWN',
  /** The database lacks a migration the code needs (the sealed_secret_format table): run the migrations first. */
  SCHEMA_OUTDATED: 'DB_SCHEMA_OUTDATED',
  /** DATABASE_URL's schema parameter is not a plain schema name. */
  SCHEMA_INVALID: 'DB_SCHEMA_INVALID',
  /** The connection's search path puts Beacon's statements in another schema than its Prisma queries. */
  SCHEMA_MISMATCH: 'DB_SCHEMA_MISMATCH'
} as const
export type DbErrorCode = typeof DbErrorCode[keyof typeof DbErrorCode]

export class DbError extends Error {
  override name = 'DbError'
  constructor (readonly code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** A sealed value that cannot be used, with its place (never its bytes) for the log. */
export class SealedSecretError extends DbError {
  override name = 'SealedSecretError'
  constructor (code: DbErrorCode, readonly column: string, readonly rowId: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

import { hkdfSync } from 'node:crypto'
import { DbError, DbErrorCode, SealedSecretError } from '../errors.js'
import { decrypt, encrypt, sealedVersion } from './sealed-layout.js'
import { SEALED_COLUMN_NAMES, placeLabel, type SealedColumn, type SealedPlace } from './sealed-places.js'

/** Version 2: a key per column derived from MASTER_KEY, and the column and row id as associated data. */
export const SEALED_VERSION = 2
/** Version 1: AES-256-GCM under MASTER_KEY itself, bound to nothing (see legacy-format.ts). */
export const LEGACY_VERSION = 1

export interface SecretBox {
  /** Seals `plaintext` for its place: it opens only as that column of that row, under this master key. */
  seal (place: SealedPlace, plaintext: Buffer | string): Buffer
  /**
   * Opens a value read from `place`. A SealedSecretError (code DB_SECRET_UNREADABLE) when it was
   * sealed under another master key, for another row or column, or altered; DB_SECRET_LEGACY_FORMAT
   * for a version-1 value, which only the one-time upgrade that re-seals it reads.
   */
  open (place: SealedPlace, sealed: Uint8Array): Buffer
}

export const MASTER_KEY_RULE = '32 random bytes encoded as base64 (openssl rand -base64 32)'

/** Parses MASTER_KEY: exactly 32 bytes, base64. */
export function parseMasterKey (base64: string): Buffer {
  const key = Buffer.from(base64, 'base64')
  if (key.length !== 32 || key.toString('base64') !== base64.trim()) {
    throw new DbError(DbErrorCode.SECRET_KEY_INVALID, 'the master key must be 32 bytes encoded as base64')
  }
  return key
}

// HKDF-SHA256 per column: a value sealed for one column cannot be opened with another's key, and
// MASTER_KEY itself never encrypts anything (the in-app tokens derive their own key the same way).
function columnKey (masterKey: Buffer, column: SealedColumn): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `beacon sealed secret v${SEALED_VERSION} ${column}`, 32))
}

/** AES-256-GCM encryption of the secrets at rest (provider credentials, developer secrets), bound to their place. */
export function createSecretBox (masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) {
    throw new DbError(DbErrorCode.SECRET_KEY_INVALID, 'the master key must be 32 bytes')
  }
  const keys = new Map(SEALED_COLUMN_NAMES.map((column) => [column, columnKey(masterKey, column)]))
  const keyOf = (column: SealedColumn) => {
    const key = keys.get(column)
    if (key === undefined) throw new RangeError(`${String(column)} is not a sealed column`)
    return key
  }
  return {
    seal (place, plaintext) {
      const label = placeLabel(place)
      return encrypt(SEALED_VERSION, keyOf(place.column), plaintext, Buffer.from(label))
    },
    open (place, sealed) {
      const label = placeLabel(place)
      const refuse = (code: DbErrorCode, message: string, cause?: unknown) =>
        new SealedSecretError(code, place.column, place.rowId, message, cause === undefined ? undefined : { cause })
      const version = sealedVersion(sealed)
      if (version === LEGACY_VERSION) {
        throw refuse(DbErrorCode.SECRET_LEGACY_FORMAT, `the sealed value of ${label} has the version-1 format: only the one-time upgrade at the api's start re-seals such values, later ones are refused`)
      }
      if (version !== SEALED_VERSION) throw refuse(DbErrorCode.SECRET_UNREADABLE, `the sealed value of ${label} has an unknown format`)
      try {
        return decrypt(keyOf(place.column), sealed, Buffer.from(label))
      } catch (cause) {
        throw refuse(DbErrorCode.SECRET_UNREADABLE,
          `the sealed value of ${label} cannot be opened: sealed under another master key, for another row or column, or altered`, cause)
      }
    }
  }
}

import { DbErrorCode, SealedSecretError } from '../errors.js'
import { decrypt } from './sealed-layout.js'
import { placeLabel, type SealedPlace } from './sealed-places.js'

/**
 * Opens a version-1 value: AES-256-GCM under MASTER_KEY itself, without associated data. It is
 * bound to no place, so only the one-time upgrade (at the api's start, or a master-key rotation
 * before it) reads it; accepting it anywhere else, or later, would let whoever can write the
 * database move it between rows and columns (see legacy-migration.ts).
 */
export function openLegacy (masterKey: Buffer, place: SealedPlace, sealed: Uint8Array): Buffer {
  const label = placeLabel(place)
  try {
    return decrypt(masterKey, sealed, null)
  } catch (cause) {
    throw new SealedSecretError(DbErrorCode.SECRET_UNREADABLE, place.column, place.rowId,
      `the version-1 sealed value of ${label} cannot be opened with this master key`, { cause })
  }
}

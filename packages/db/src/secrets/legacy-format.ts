import { DbErrorCode, SealedSecretError } from '../errors.js'
import { decrypt, sealedVersion } from './sealed-layout.js'
import { placeLabel, type SealedPlace } from './sealed-places.js'
import { LEGACY_VERSION, type SecretBox } from './secret-box.js'

/**
 * Opens a version-1 value: AES-256-GCM under MASTER_KEY itself, without associated data. It is
 * bound to no place, so only the re-sealing paths (the migration at the api's start, the master-key
 * rotation) read it; accepting it anywhere else would let whoever can write the database move it
 * between rows and columns.
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

/** A stored value of either format, opened to be sealed again as version 2. */
export function openForResealing (box: SecretBox, masterKey: Buffer, place: SealedPlace, sealed: Uint8Array): Buffer {
  return sealedVersion(sealed) === LEGACY_VERSION ? openLegacy(masterKey, place, sealed) : box.open(place, sealed)
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

// Sealed layout, every version: version (1 byte) | IV (12) | GCM tag (16) | ciphertext.
const IV_BYTES = 12
const TAG_BYTES = 16
export const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES

/** The version byte of a sealed value; undefined when it is too short to be one. */
export function sealedVersion (sealed: Uint8Array): number | undefined {
  return sealed.length < HEADER_BYTES ? undefined : sealed[0]
}

/** AES-256-GCM with a fresh IV, laid out behind `version`. */
export function encrypt (version: number, key: Buffer, plaintext: Buffer | string, aad: Buffer | null): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  if (aad !== null) cipher.setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.of(version), iv, cipher.getAuthTag(), body])
}

/** The plaintext; throws (Node's error) when the key, the associated data or any byte is wrong. */
export function decrypt (key: Buffer, sealed: Uint8Array, aad: Buffer | null): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  const iv = data.subarray(1, 1 + IV_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAuthTag(data.subarray(1 + IV_BYTES, HEADER_BYTES))
  if (aad !== null) decipher.setAAD(aad)
  return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES)), decipher.final()])
}

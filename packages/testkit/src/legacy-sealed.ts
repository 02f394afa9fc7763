import { createCipheriv, randomBytes } from 'node:crypto'

/**
 * A secret sealed exactly as Beacon sealed them before version 2 (the old secret-box.ts):
 * version 1 | IV | GCM tag | ciphertext, AES-256-GCM under MASTER_KEY itself, no associated
 * data. For tests of the migration that re-seals such values.
 */
export function sealVersion1 (masterKey: Buffer, plaintext: Buffer | string): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.of(1), iv, cipher.getAuthTag(), body])
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { DbError, DbErrorCode } from './errors.js'

// Sealed layout: version (1 byte) | IV (12) | GCM tag (16) | ciphertext. The version byte lets a
// future key rotation tell old records from new ones.
const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

export interface SecretBox {
  seal (plaintext: Buffer | string): Buffer
  open (sealed: Uint8Array): Buffer
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

/** AES-256-GCM encryption of provider credentials at rest. */
export function createSecretBox (masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) {
    throw new DbError(DbErrorCode.SECRET_KEY_INVALID, 'the master key must be 32 bytes')
  }
  return {
    seal (plaintext) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv)
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body])
    },
    open (sealed) {
      const data = Buffer.from(sealed)
      if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
        throw new DbError(DbErrorCode.SECRET_UNREADABLE, 'sealed secret has an unknown format')
      }
      const iv = data.subarray(1, 1 + IV_BYTES)
      const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, iv)
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()])
      } catch (cause) {
        throw new DbError(DbErrorCode.SECRET_UNREADABLE, 'sealed secret cannot be opened with this master key', { cause })
      }
    }
  }
}

import { randomBytes } from 'node:crypto'

/**
 * A developer key: 24 random bytes (192 bits) as base64url, 32 characters. Unguessable, so that
 * knowing one key says nothing about another; its characters are all valid in the header.
 */
export function newDeveloperKey (): string {
  return randomBytes(24).toString('base64url')
}

/**
 * A developer secret: 32 random bytes (256 bits) as base64url, 43 characters. The HMAC key is
 * this text itself (its UTF-8 bytes), exactly as the developer copies it.
 */
export function newDeveloperSecret (): string {
  return randomBytes(32).toString('base64url')
}

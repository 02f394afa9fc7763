import { randomBytes } from 'node:crypto'

/** A fresh nonce: 18 random bytes (144 bits) as base64url, 24 characters, safe in a quoted header value. */
export function newNonce (): string {
  return randomBytes(18).toString('base64url')
}

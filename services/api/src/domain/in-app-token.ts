import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

/** Whom an in-app token admits: one user of one application. */
export interface InAppIdentity {
  applicationId: number
  userId: string
}

export interface InAppTokens {
  issue (identity: InAppIdentity, now?: Date): { token: string, expiresAt: Date }
  /** The identity, or why the token is refused (for the log; the client only learns "401"). */
  verify (token: string, now?: Date): { ok: true, identity: InAppIdentity } | { ok: false, reason: string }
}

/** Longer than any token we issue (a 255-character user id included); refuse before any work. */
export const MAX_TOKEN_LENGTH = 1024
const SIGNATURE_BYTES = 32

/**
 * Stateless tokens, valid on every api instance: `base64url(payload).base64url(HMAC-SHA256)`,
 * payload `{a: applicationId, u: userId, e: expiry in epoch seconds}`. The HMAC key is derived
 * from the master key (HKDF) so that it is never the key that seals secrets.
 */
export function createInAppTokens (masterKey: Buffer, ttlSeconds: number): InAppTokens {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'beacon in-app token', 32))
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest()

  return {
    issue (identity, now = new Date()) {
      const expiry = Math.floor(now.getTime() / 1000) + ttlSeconds
      const payload = Buffer.from(JSON.stringify({ a: identity.applicationId, u: identity.userId, e: expiry })).toString('base64url')
      return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresAt: new Date(expiry * 1000) }
    },

    verify (token, now = new Date()) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token missing or too long' }
      const [payload, signature, ...rest] = token.split('.')
      if (payload === undefined || signature === undefined || rest.length > 0) return { ok: false, reason: 'token malformed' }
      const given = Buffer.from(signature, 'base64url')
      if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, mac(payload))) return { ok: false, reason: 'token signature mismatch' }
      const claims = parseClaims(payload)
      if (claims === null) return { ok: false, reason: 'token payload malformed' }
      if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'token expired' }
      return { ok: true, identity: { applicationId: claims.a, userId: claims.u } }
    }
  }
}

function parseClaims (payload: string): { a: number, u: string, e: number } | null {
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    const { a, u, e } = claims
    if (!Number.isSafeInteger(a) || typeof u !== 'string' || u === '' || !Number.isSafeInteger(e)) return null
    return { a: a as number, u, e: e as number }
  } catch {
    return null
  }
}

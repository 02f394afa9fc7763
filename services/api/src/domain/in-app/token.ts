import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { MAX_IN_APP_TOKEN_LENGTH } from '@beacon/contracts'

/** Whom an in-app token admits: one user of one application, for the messages of one developer. */
export interface InAppIdentity {
  applicationId: number
  userId: string
  developerId: number
}

/** What a token was issued under: the developer's token epoch, which every revocation increments. */
export interface InAppGrant extends InAppIdentity {
  tokenEpoch: number
}

export interface InAppTokens {
  issue (grant: InAppGrant, now?: Date): { token: string, expiresAt: Date }
  /**
   * The grant, or why the token is refused (for the log; the client only learns "401"). Only the
   * token itself is checked here: whether its developer is still enabled, on the same secret and
   * granted the application is the database's to say (see admission.ts).
   */
  verify (token: string, now?: Date): { ok: true, grant: InAppGrant } | { ok: false, reason: string }
}

/**
 * Stateless tokens, valid on every api instance: `base64url(payload).base64url(HMAC-SHA256)`,
 * payload `{a: applicationId, u: userId, d: developerId, v: the developer's token epoch, e: expiry in epoch seconds,
 * n: nonce}`. The nonce makes every token unique, so that limits per token count one app's. The HMAC key is derived
 * from the master key (HKDF) so that it is never the key that seals secrets.
 */
export function createInAppTokens (masterKey: Buffer, ttlSeconds: number): InAppTokens {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'beacon in-app token', 32))
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest()

  return {
    issue (grant, now = new Date()) {
      const expiry = Math.floor(now.getTime() / 1000) + ttlSeconds
      const claims = { a: grant.applicationId, u: grant.userId, d: grant.developerId, v: grant.tokenEpoch, e: expiry, n: randomBytes(9).toString('base64url') }
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresAt: new Date(expiry * 1000) }
    },

    verify (token, now = new Date()) {
      if (token.length === 0 || token.length > MAX_IN_APP_TOKEN_LENGTH) return { ok: false, reason: 'token missing or too long' }
      const [payload, signature, ...rest] = token.split('.')
      if (payload === undefined || signature === undefined || rest.length > 0) return { ok: false, reason: 'token malformed' }
      // The signature's own spelling, not its decoded bytes: Node's decoder skips characters outside
      // the alphabet and the unused low bits of the last one, so one token would have countless
      // spellings, each a token of its own to the limits keyed by it (connects per token).
      const expected = Buffer.from(mac(payload).toString('base64url'))
      const given = Buffer.from(signature)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'token signature mismatch' }
      const claims = parseClaims(payload)
      if (claims === null) return { ok: false, reason: 'token payload malformed' }
      if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'token expired' }
      return { ok: true, grant: { applicationId: claims.a, userId: claims.u, developerId: claims.d, tokenEpoch: claims.v } }
    }
  }
}

interface Claims { a: number, u: string, d: number, v: number, e: number }

function parseClaims (payload: string): Claims | null {
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    const { a, u, d, v, e } = claims
    // A token of the earlier format (no developer) names no developer whose messages it may see.
    if (![a, d, v, e].every(Number.isSafeInteger) || typeof u !== 'string' || u === '') return null
    return { a, u, d, v, e } as Claims
  } catch {
    return null
  }
}

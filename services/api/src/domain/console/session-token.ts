import { createHash, hkdfSync, randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'

/** What a console session cookie carries: nothing secret, so it is signed, not encrypted. */
export interface SessionClaims {
  /** Random per sign-in: what logout revokes. */
  sid: string
  username: string
  /** Epoch milliseconds; the server refuses the cookie after it, whatever the browser keeps. */
  expiresAt: number
  /** Epoch milliseconds of the session's last use (renewed as it is used): refused once idle for longer than the idle timeout. */
  seenAt: number
}

// Bumped if the claims change shape: every cookie of the old shape is then refused (v2: seenAt).
const INFO = 'beacon/console-session/v2'

/**
 * The cookie's HMAC key: HKDF-SHA256 of MASTER_KEY, salted with a digest of the admin credentials.
 * - No new secret to manage: MASTER_KEY is already required, kept out of the environment by
 *   MASTER_KEY_FILE, and this `info` label keeps the derived key apart from every other use of it.
 * - Changing AUTH_USERNAME or AUTH_PASSWORD (or MASTER_KEY) changes the key, so every cookie
 *   signed before is refused: no credentials version to store.
 * - The credentials are never in the cookie, not even hashed: only a MAC under a key derived from them.
 */
export function sessionKey (masterKey: Buffer, credentials: { username: string, password: string }): Buffer {
  const salt = createHash('sha256').update(credentials.username).update('\0').update(credentials.password).digest()
  return Buffer.from(hkdfSync('sha256', masterKey, salt, INFO, 32))
}

/** Seals and opens session cookie values (`<base64url claims>.<HMAC-SHA256>`, @fastify/cookie's signer). */
export class SessionTokens {
  private readonly signer: Signer
  constructor (key: Buffer, private readonly ttlMs: number, private readonly idleMs: number, private readonly now: () => number = Date.now) {
    this.signer = new Signer(key, 'sha256')
  }

  issue (username: string): { value: string, claims: SessionClaims } {
    const now = this.now()
    return this.seal({ sid: randomBytes(16).toString('base64url'), username, expiresAt: now + this.ttlMs, seenAt: now })
  }

  /** The same session, seen now: what keeps a session in use from its idle timeout. */
  renew (claims: SessionClaims): { value: string, claims: SessionClaims } {
    return this.seal({ ...claims, seenAt: this.now() })
  }

  /** Whether a session last seen at `seenAt` is worth renewing now (at most a few times per idle timeout). */
  due (claims: SessionClaims): boolean {
    return this.now() - claims.seenAt >= Math.min(60_000, this.idleMs / 4)
  }

  private seal (claims: SessionClaims): { value: string, claims: SessionClaims } {
    return { value: this.signer.sign(Buffer.from(JSON.stringify(claims)).toString('base64url')), claims }
  }

  /** The claims of a value this key signed and that has not expired, else null (never says why: one refusal for all). */
  open (value: string): SessionClaims | null {
    const unsigned = this.signer.unsign(value)
    if (!unsigned.valid || unsigned.value === null) return null
    let claims: unknown
    try {
      claims = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'))
    } catch {
      return null
    }
    const now = this.now()
    if (!isClaims(claims) || claims.expiresAt <= now || claims.seenAt + this.idleMs <= now) return null
    return claims
  }
}

function isClaims (value: unknown): value is SessionClaims {
  const claims = value as Partial<SessionClaims> | null
  return typeof claims === 'object' && claims !== null && typeof claims.sid === 'string' &&
    typeof claims.username === 'string' && typeof claims.expiresAt === 'number' && Number.isFinite(claims.expiresAt) &&
    typeof claims.seenAt === 'number' && Number.isFinite(claims.seenAt)
}

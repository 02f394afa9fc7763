import type { Queryable } from '../outbox/outbox.js'
import type { SessionClaims } from './session-token.js'

/**
 * Logouts, in the database so that every api instance refuses a logged-out cookie (the shipped
 * Kubernetes manifests run two). A revocation is kept until the session would have expired anyway,
 * and an hour more: each instance judges a cookie's expiry by its own clock, and one running
 * behind the database's took a logged-out cookie again once its revocation was gone. The expired
 * ones go with the next logout, so the table holds at most the sessions of one TTL and an hour.
 */
export const REVOCATION_KEPT_AFTER_EXPIRY = '1 hour'

export async function revokeSession (q: Queryable, claims: SessionClaims): Promise<void> {
  await q.query({
    name: 'beacon-console-session-revoke',
    text: `WITH expired AS (DELETE FROM console_session_revocation WHERE expires_at <= now() - interval '${REVOCATION_KEPT_AFTER_EXPIRY}')
           INSERT INTO console_session_revocation (sid, expires_at) VALUES ($1, $2)
           ON CONFLICT (sid) DO NOTHING`,
    values: [claims.sid, new Date(claims.expiresAt)]
  })
}

/** Whether the session was logged out (on any instance). */
export async function isRevoked (q: Queryable, claims: SessionClaims): Promise<boolean> {
  const { rowCount } = await q.query({
    name: 'beacon-console-session-revoked',
    text: 'SELECT 1 FROM console_session_revocation WHERE sid = $1',
    values: [claims.sid]
  })
  return (rowCount ?? 0) > 0
}

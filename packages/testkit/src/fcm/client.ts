import { Agent } from 'node:https'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { signJwt } from '../jwt.js'
import { fcmScope } from './oauth.js'

/** The part of a service-account key file the JWT-bearer grant needs. */
export interface ServiceAccountKey { client_email: string, private_key: string, private_key_id?: string, token_uri: string }

/** What firebase-admin asks of an app `credential`. */
export interface AccessTokenCredential { getAccessToken (): Promise<{ access_token: string, expires_in: number }> }

/**
 * A firebase-admin credential that does the OAuth2 JWT-bearer grant (RFC 7523) against the
 * service account's own `token_uri`. firebase-admin's `cert()` always asks Google; this asks
 * whatever the key file names, so the same code serves production and the mock.
 * firebase-admin caches the token until shortly before `expires_in`.
 */
export function jwtBearerCredential (account: ServiceAccountKey, scope = fcmScope): AccessTokenCredential {
  return {
    async getAccessToken () {
      const iat = Math.floor(Date.now() / 1000)
      const header = account.private_key_id === undefined ? { alg: 'RS256' as const, typ: 'JWT' } : { alg: 'RS256' as const, typ: 'JWT', kid: account.private_key_id }
      const assertion = signJwt(header, { iss: account.client_email, scope, aud: account.token_uri, iat, exp: iat + 3600 }, account.private_key)
      const response = await fetch(account.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
      })
      const body = await response.json().catch(() => ({})) as { access_token?: unknown, expires_in?: unknown, error?: unknown, error_description?: unknown }
      if (!response.ok || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
        throw new Error(`OAuth token request for ${account.client_email} failed: ${response.status} ${String(body.error ?? '')} ${String(body.error_description ?? '')}`.trim())
      }
      return { access_token: body.access_token, expires_in: body.expires_in }
    }
  }
}

/**
 * An agent for firebase-admin's `httpAgent` option: firebase-admin builds
 * `https://fcm.googleapis.com/...` requests with no way to change the host, so this agent
 * connects every request to the mock instead, over plain TCP (the mock speaks plain HTTP).
 */
export class FcmMockAgent extends Agent {
  constructor (private readonly target: { host: string, port: number }) {
    super({ keepAlive: true })
  }

  override createConnection (): Duplex {
    return connect(this.target.port, this.target.host)
  }
}

// The two hooks that point firebase-admin at the FCM mock. They do what the test kit's
// FcmMockAgent and jwtBearerCredential do, written out here so the peer's process loads only the
// adapter (the test kit would bring its database and NATS modules and inflate the peer's memory).
import { createPrivateKey, sign } from 'node:crypto'
import { Agent } from 'node:https'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'

/** The parts of a service-account key file the OAuth grant needs. */
export interface ServiceAccount { project_id: string, client_email: string, private_key: string, token_uri: string }

/**
 * firebase-admin's app option `httpAgent`: the FCM host is hard-coded in firebase-admin, so every
 * connection goes to the mock instead (plain TCP: the mock speaks plain HTTP/1.1). Keep-alive and
 * no socket limit, as Node's global agent, which firebase-admin uses when given none.
 */
export class MockAgent extends Agent {
  constructor (private readonly target: { host: string, port: number }) {
    super({ keepAlive: true })
  }

  override createConnection (): Duplex {
    return connect(this.target.port, this.target.host)
  }
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * An app `credential` doing the OAuth2 JWT-bearer grant against the key file's own `token_uri`
 * (the mock's): firebase-admin's `cert()` would always ask Google. firebase-admin caches the token.
 */
export function mockCredential (account: ServiceAccount) {
  const key = createPrivateKey(account.private_key)
  return {
    async getAccessToken (): Promise<{ access_token: string, expires_in: number }> {
      const iat = Math.floor(Date.now() / 1000)
      const input = `${json({ alg: 'RS256', typ: 'JWT' })}.${json({ iss: account.client_email, scope: 'https://www.googleapis.com/auth/firebase.messaging', aud: account.token_uri, iat, exp: iat + 3600 })}`
      const assertion = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
      const response = await fetch(account.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
      })
      const body = await response.json() as { access_token?: string, expires_in?: number }
      if (!response.ok || body.access_token === undefined || body.expires_in === undefined) throw new Error(`OAuth grant failed: ${response.status} ${JSON.stringify(body)}`)
      return { access_token: body.access_token, expires_in: body.expires_in }
    }
  }
}

import { createSign } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Credential, GoogleOAuthAccessToken } from 'firebase-admin/app'
import type { FcmServiceAccount } from '../../credentials.js'

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging'
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** The RS256-signed assertion of Google's JWT-bearer grant (RFC 7523). */
export function signAssertion (account: FcmServiceAccount, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const claims = base64url(JSON.stringify({ iss: account.client_email, scope: SCOPE, aud: account.token_uri, iat: nowSeconds, exp: nowSeconds + 3600 }))
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(account.private_key)
  return `${header}.${claims}.${base64url(signature)}`
}

export class OAuthTokenError extends Error {
  override name = 'OAuthTokenError'
  /** A 4xx from the token endpoint: the service account itself is refused. */
  constructor (message: string, readonly refused: boolean, options?: { cause?: unknown }) { super(message, options) }
}

/**
 * A firebase-admin credential that gets access tokens from the service account's own `token_uri`
 * (firebase-admin's `cert()` always asks Google's host). firebase-admin caches the token until
 * shortly before it expires.
 */
export function serviceAccountCredential (account: FcmServiceAccount, options: { ca: Buffer | null, timeoutMs: number }): Credential {
  return {
    getAccessToken: () => new Promise<GoogleOAuthAccessToken>((resolve, reject) => {
      const form = new URLSearchParams({ grant_type: GRANT_TYPE, assertion: signAssertion(account) }).toString()
      // Google's token_uri is https; a local stand-in may be plain http.
      const request = account.token_uri.startsWith('http:') ? httpRequest : httpsRequest
      const req = request(account.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
        timeout: options.timeoutMs,
        ...(options.ca === null ? {} : { ca: options.ca })
      }, (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
          const status = res.statusCode ?? 0
          let body: Partial<GoogleOAuthAccessToken> & { error?: string } = {}
          try { body = JSON.parse(text) } catch { /* reported below */ }
          if (status === 200 && typeof body.access_token === 'string' && typeof body.expires_in === 'number') {
            resolve({ access_token: body.access_token, expires_in: body.expires_in })
          } else {
            reject(new OAuthTokenError(`token endpoint answered HTTP ${status}${body.error === undefined ? '' : ` (${body.error})`}`, status >= 400 && status < 500))
          }
        })
      })
      req.on('timeout', () => req.destroy(new Error(`no answer from the token endpoint within ${options.timeoutMs} ms`)))
      req.on('error', (cause) => reject(new OAuthTokenError(`token endpoint unreachable: ${cause.message}`, false, { cause })))
      req.end(form)
    })
  }
}

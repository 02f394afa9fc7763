import { createSign } from 'node:crypto'
import type { Agent } from 'node:http'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { DestinationForbiddenError, isListedUrl } from '@beacon/outbound'
import type { Credential, GoogleOAuthAccessToken } from 'firebase-admin/app'
import type { Logger } from 'pino'
import type { TokenEndpointPolicy } from '../../config.js'
import type { FcmServiceAccount } from '../../credentials.js'

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging'
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
// The token endpoint's own error text is logged whole up to this length; never reported.
const MAX_LOGGED_TEXT = 8192

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** The RS256-signed assertion of Google's JWT-bearer grant (RFC 7523). */
export function signAssertion (account: FcmServiceAccount, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const claims = base64url(JSON.stringify({ iss: account.client_email, scope: SCOPE, aud: account.token_uri, iat: nowSeconds, exp: nowSeconds + 3600 }))
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(account.private_key)
  return `${header}.${claims}.${base64url(signature)}`
}

/**
 * Why no access token, as a stable code. The message is the reason reported to API clients and
 * developers ("TokenEndpointRefused (HTTP 400)"): it never holds the endpoint's own words, which
 * firebase-admin would otherwise copy into every failed send.
 */
export const TokenFailure = {
  /** The endpoint answered 4xx: the service account itself is refused. */
  REFUSED: 'TokenEndpointRefused',
  /** Another answer than a token: 5xx, or a 200 without one. */
  ERROR: 'TokenEndpointError',
  /** No answer: connection failed or timed out. */
  UNREACHABLE: 'TokenEndpointUnreachable',
  /** token_uri is not one of FCM_TOKEN_URIS. */
  URI_FORBIDDEN: 'TokenUriForbidden',
  /** token_uri resolves to a loopback, private or link-local address. */
  DESTINATION_FORBIDDEN: 'DestinationForbidden'
} as const
export type TokenFailure = typeof TokenFailure[keyof typeof TokenFailure]

/** The failures that are the application's configuration (refused, forbidden); the others may pass. */
export const TOKEN_CONFIGURATION_FAILURES: ReadonlySet<TokenFailure> =
  new Set([TokenFailure.REFUSED, TokenFailure.URI_FORBIDDEN, TokenFailure.DESTINATION_FORBIDDEN])

export class OAuthTokenError extends Error {
  override name = 'OAuthTokenError'
  constructor (readonly code: TokenFailure, readonly status?: number, options?: { cause?: unknown }) {
    super(status === undefined ? code : `${code} (HTTP ${status})`, options)
  }
}

export interface TokenRequestOptions {
  ca: Buffer | null
  timeoutMs: number
  policy: TokenEndpointPolicy
  /** Guarded agents (@beacon/outbound): the connect-time private-address check. */
  agents: { http: Agent, https: Agent }
  log: Logger
}

/** Longest token endpoint answer read (Google's are under 2 KB). */
const MAX_TOKEN_ANSWER = 64 * 1024

/** The `error` and `error_description` of an OAuth error body as they came, for the log. */
function upstreamText (text: string): Record<string, unknown> {
  try {
    const body = JSON.parse(text) as { error?: unknown, error_description?: unknown }
    if (typeof body.error === 'string' || typeof body.error_description === 'string') {
      return { upstreamError: String(body.error ?? '').slice(0, MAX_LOGGED_TEXT), upstreamDescription: String(body.error_description ?? '').slice(0, MAX_LOGGED_TEXT) }
    }
  } catch { /* not JSON: logged as it is */ }
  return { upstreamBody: text.slice(0, MAX_LOGGED_TEXT) }
}

/**
 * A firebase-admin credential that gets access tokens from the service account's own `token_uri`
 * (firebase-admin's `cert()` always asks Google's host), which must be one of FCM_TOKEN_URIS and
 * is connected to through the destination guard. firebase-admin caches the token until shortly
 * before it expires. Failures are logged with the endpoint's own words and the project; what
 * firebase-admin gets (and reports per send) is our stable code only.
 */
export function serviceAccountCredential (account: FcmServiceAccount, options: TokenRequestOptions): Credential {
  const context = { projectId: account.project_id, tokenHost: hostOf(account.token_uri) }
  const fail = (error: OAuthTokenError, fields: Record<string, unknown> = {}) => {
    options.log.warn({ ...context, reason: error.message, ...fields }, 'FCM access token not obtained')
    return error
  }
  return {
    getAccessToken: () => new Promise<GoogleOAuthAccessToken>((resolve, reject) => {
      // A cut answer may end in an error on both the request and the response: the first one
      // settles the promise (later calls of resolve or reject change nothing), but only the
      // first is logged.
      let logged = false
      const failOnce = (error: OAuthTokenError, fields: Record<string, unknown> = {}) => {
        if (logged) return error
        logged = true
        return fail(error, fields)
      }
      if (!isListedUrl(account.token_uri, options.policy.allowedUris)) {
        reject(failOnce(new OAuthTokenError(TokenFailure.URI_FORBIDDEN)))
        return
      }
      const form = new URLSearchParams({ grant_type: GRANT_TYPE, assertion: signAssertion(account) }).toString()
      // Google's token_uri is https; a local stand-in listed in FCM_TOKEN_URIS may be plain http.
      // (isListedUrl parsed it: the URL's own protocol, whatever the case it was written in.)
      const plain = new URL(account.token_uri).protocol === 'http:'
      const req = (plain ? httpRequest : httpsRequest)(account.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
        timeout: options.timeoutMs,
        agent: plain ? options.agents.http : options.agents.https,
        ...(options.ca === null ? {} : { ca: options.ca })
      }, (res) => {
        res.on('error', (cause: NodeJS.ErrnoException) => { reject(failOnce(new OAuthTokenError(TokenFailure.UNREACHABLE, undefined, { cause }), { err: cause })) })
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk
          // A token answer is a few hundred bytes: an endless one is cut, not collected.
          if (text.length > MAX_TOKEN_ANSWER) res.destroy(Object.assign(new Error(`token answer over ${MAX_TOKEN_ANSWER} characters`), { code: 'ETOOLARGE' }))
        }).on('end', () => {
          const status = res.statusCode ?? 0
          let body: Partial<GoogleOAuthAccessToken> = {}
          try { body = JSON.parse(text) } catch { /* reported below */ }
          if (status === 200 && typeof body.access_token === 'string' && typeof body.expires_in === 'number') {
            resolve({ access_token: body.access_token, expires_in: body.expires_in })
            return
          }
          const code = status >= 400 && status < 500 ? TokenFailure.REFUSED : TokenFailure.ERROR
          reject(failOnce(new OAuthTokenError(code, status), { status, ...(status === 200 ? {} : upstreamText(text)) }))
        })
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })))
      // `timeout` is idle time: an endpoint dripping a byte at a time is cut by the whole exchange's deadline too.
      const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no whole answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs)
      req.once('close', () => clearTimeout(deadline))
      req.on('error', (cause: NodeJS.ErrnoException) => {
        if (cause instanceof DestinationForbiddenError) {
          reject(failOnce(new OAuthTokenError(TokenFailure.DESTINATION_FORBIDDEN, undefined, { cause }), { address: cause.address, range: cause.range }))
          return
        }
        reject(failOnce(new OAuthTokenError(TokenFailure.UNREACHABLE, undefined, { cause }), { err: cause }))
      })
      req.end(form)
    })
  }
}

function hostOf (uri: string): string {
  try { return new URL(uri).host } catch { return '(not a URL)' }
}

import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto'
import { decodeJwt, verifyJwtSignature } from '../jwt.js'
import { insufficientScopes, projectDenied, unauthenticated, type FcmHttpAnswer } from './errors.js'

export const fcmScope = 'https://www.googleapis.com/auth/firebase.messaging'
const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform'
const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const tokenLifetimeSeconds = 3599

/** A service account the mock's Google knows: its email, public key and the projects it belongs to. */
export interface ServiceAccountRegistration { clientEmail: string, publicKeyPem: string, projectIds: string[] }

interface AccessToken { clientEmail: string, scopes: Set<string>, expiresAt: number }

export type FcmAuthorization = { ok: true, clientEmail: string } | { ok: false, answer: FcmHttpAnswer }

const oauthError = (error: string, description: string): FcmHttpAnswer => ({ status: 400, body: { error, error_description: description } })

/**
 * Google's OAuth2 token endpoint for service accounts (RFC 7523 JWT-bearer grant) and the
 * bearer-token check of the FCM API. Only tokens issued here are accepted.
 */
export class GoogleOAuthMock {
  readonly #accounts = new Map<string, { publicKey: KeyObject, projectIds: Set<string> }>()
  readonly #tokens = new Map<string, AccessToken>()

  constructor (readonly tokenUri: string, private readonly now: () => number) {}

  register (account: ServiceAccountRegistration): void {
    this.#accounts.set(account.clientEmail, { publicKey: createPublicKey(account.publicKeyPem), projectIds: new Set(account.projectIds) })
  }

  /** `POST /token` with a form body. */
  grant (form: URLSearchParams): FcmHttpAnswer {
    const grantType = form.get('grant_type')
    if (grantType !== jwtBearerGrant) return oauthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`)
    const jwt = decodeJwt(form.get('assertion') ?? '')
    if (jwt === null) return oauthError('invalid_grant', 'Invalid JWT: not a compact JWS.')
    const { iss, aud, scope, iat, exp } = jwt.claims
    const account = typeof iss === 'string' ? this.#accounts.get(iss) : undefined
    if (account === undefined) return oauthError('invalid_grant', 'Invalid grant: account not found')
    if (!verifyJwtSignature(jwt, 'RS256', account.publicKey)) return oauthError('invalid_grant', 'Invalid JWT Signature.')
    if (aud !== this.tokenUri) return oauthError('invalid_grant', `Invalid JWT: Failed audience check. The expected value is ${this.tokenUri}`)
    const nowSeconds = this.now() / 1000
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= nowSeconds || iat > nowSeconds + 60 || exp - iat > 3600) {
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.')
    }
    if (typeof scope !== 'string' || scope.trim() === '') return oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.')
    const accessToken = `ya29.mock-${randomBytes(24).toString('base64url')}`
    this.#tokens.set(accessToken, { clientEmail: iss as string, scopes: new Set(scope.split(/\s+/)), expiresAt: this.now() + tokenLifetimeSeconds * 1000 })
    return { status: 200, body: { access_token: accessToken, expires_in: tokenLifetimeSeconds, token_type: 'Bearer' } }
  }

  /** The `Authorization` header of an FCM request, for a project. */
  authorize (authorization: string | undefined, projectId: string): FcmAuthorization {
    const token = authorization !== undefined && /^bearer /i.test(authorization) ? this.#tokens.get(authorization.slice(7).trim()) : undefined
    if (token === undefined || token.expiresAt <= this.now()) return { ok: false, answer: unauthenticated() }
    if (!token.scopes.has(fcmScope) && !token.scopes.has(cloudPlatformScope)) return { ok: false, answer: insufficientScopes() }
    if (this.#accounts.get(token.clientEmail)?.projectIds.has(projectId) !== true) return { ok: false, answer: projectDenied(projectId) }
    return { ok: true, clientEmail: token.clientEmail }
  }
}

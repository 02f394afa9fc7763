import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { decodeJwt, verifyJwtSignature } from '../jwt.js'

/** An APNs auth key (.p8) as Apple knows it: its id, its team, the bundles that team may push to. */
export interface ApnsKeyRegistration {
  keyId: string
  teamId: string
  publicKeyPem: string
  /** App bundle ids of the team; `apns-topic` must be one of them (plus the push type's suffix). */
  bundles: string[]
}

/** Who signed a provider token that checked out. */
export interface ApnsTokenIdentity { keyId: string, teamId: string, issuedAt: number }

export type ApnsAuthResult = { ok: true, identity: ApnsTokenIdentity } | { ok: false, reason: string }

/** A fresh P-256 signing key in the form Apple hands out (.p8 is PKCS#8 PEM). */
export function generateApnsSigningKey (): { privateKeyPem: string, publicKeyPem: string } {
  const pair = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' }
  })
  return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey }
}

const maxAgeSeconds = 3600
const maxFutureSeconds = 60
const cacheLimit = 10_000

/**
 * Provider-token checks as APNs documents them: `authorization: bearer <JWT>`, ES256, a `kid`
 * naming a registered key, `iss` = that key's team, `iat` at most an hour old. The signature
 * verdict is cached per token string (clients reuse a token for up to an hour), the age is
 * checked on every request.
 */
export class ApnsProviderTokens {
  readonly #keys = new Map<string, { teamId: string, publicKey: KeyObject }>()
  readonly #bundles = new Map<string, Set<string>>()
  readonly #verdicts = new Map<string, ApnsAuthResult>()

  register (key: ApnsKeyRegistration): void {
    this.#keys.set(key.keyId, { teamId: key.teamId, publicKey: createPublicKey(key.publicKeyPem) })
    const bundles = this.#bundles.get(key.teamId) ?? new Set<string>()
    for (const bundle of key.bundles) bundles.add(bundle)
    this.#bundles.set(key.teamId, bundles)
    this.#verdicts.clear()
  }

  bundlesOf (teamId: string): ReadonlySet<string> {
    return this.#bundles.get(teamId) ?? new Set()
  }

  check (authorization: string | undefined, nowMs: number): ApnsAuthResult {
    if (authorization === undefined || !/^bearer /i.test(authorization)) return { ok: false, reason: 'MissingProviderToken' }
    const token = authorization.slice(7).trim()
    let verdict = this.#verdicts.get(token)
    if (verdict === undefined) {
      verdict = this.#verify(token)
      if (this.#verdicts.size >= cacheLimit) this.#verdicts.clear()
      this.#verdicts.set(token, verdict)
    }
    if (!verdict.ok) return verdict
    const nowSeconds = nowMs / 1000
    if (verdict.identity.issuedAt > nowSeconds + maxFutureSeconds) return { ok: false, reason: 'InvalidProviderToken' }
    if (nowSeconds - verdict.identity.issuedAt > maxAgeSeconds) return { ok: false, reason: 'ExpiredProviderToken' }
    return verdict
  }

  #verify (token: string): ApnsAuthResult {
    const invalid = { ok: false, reason: 'InvalidProviderToken' } as const
    const jwt = decodeJwt(token)
    if (jwt === null) return invalid
    const { kid } = jwt.header
    const { iss, iat } = jwt.claims
    const key = typeof kid === 'string' ? this.#keys.get(kid) : undefined
    if (key === undefined || typeof kid !== 'string' || iss !== key.teamId || typeof iat !== 'number' || !Number.isInteger(iat)) return invalid
    if (!verifyJwtSignature(jwt, 'ES256', key.publicKey)) return invalid
    return { ok: true, identity: { keyId: kid, teamId: key.teamId, issuedAt: iat } }
  }
}

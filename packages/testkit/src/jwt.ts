import { createPrivateKey, sign, verify, type KeyObject } from 'node:crypto'

/** The two JSON Web Token algorithms push providers use: ES256 (APNs) and RS256 (Google OAuth). */
export type JwtAlgorithm = 'ES256' | 'RS256'

export interface DecodedJwt {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  /** `<header>.<claims>` as sent: the bytes the signature covers. */
  signingInput: string
  signature: Buffer
}

const keyType: Record<JwtAlgorithm, string> = { ES256: 'ec', RS256: 'rsa' }

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

// ES256 signatures in a JWT are r||s (IEEE P1363), not the DER that node:crypto produces by default.
const signOptions = (key: KeyObject) => key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : key

/** Signs a compact JWT; `header.alg` must agree with the key (EC P-256 for ES256, RSA for RS256). */
export function signJwt (header: { alg: JwtAlgorithm, kid?: string, typ?: string }, claims: Record<string, unknown>, privateKey: string | KeyObject): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey
  if (key.asymmetricKeyType !== keyType[header.alg]) throw new Error(`${header.alg} needs an ${keyType[header.alg]} key, got ${key.asymmetricKeyType}`)
  const signingInput = `${encode(header)}.${encode(claims)}`
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), signOptions(key)).toString('base64url')}`
}

const parseSegment = (segment: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

/** Splits and parses a compact JWT without trusting it; null when it is not one. */
export function decodeJwt (token: string): DecodedJwt | null {
  const parts = token.split('.')
  if (parts.length !== 3 || parts.some((part) => !/^[\w-]*$/.test(part))) return null
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string]
  const header = parseSegment(headerPart)
  const claims = parseSegment(claimsPart)
  if (header === null || claims === null) return null
  return { header, claims, signingInput: `${headerPart}.${claimsPart}`, signature: Buffer.from(signaturePart, 'base64url') }
}

/** True when the token's `alg` is the expected one, matches the key, and the signature holds. */
export function verifyJwtSignature (jwt: DecodedJwt, algorithm: JwtAlgorithm, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== algorithm || publicKey.asymmetricKeyType !== keyType[algorithm]) return false
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), signOptions(publicKey), jwt.signature)
  } catch {
    return false
  }
}

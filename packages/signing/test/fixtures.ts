import { signRequest, type IncomingSignedRequest, type SecretLookup } from '../src/index.js'

export const KEY = 'a-demo-key'
export const SECRET = 'a-demo-secret'
export const SIGNED_AT = new Date('2024-03-01T12:00:00Z')
export const lookup: SecretLookup = async (key) => key === KEY ? SECRET : undefined

/**
 * A request as the server would receive it, signed by signRequest with fixed date and nonce, and
 * with Node's lower-case header names.
 */
export function signedIncoming (overrides: { method?: string, uri?: string, body?: string, contentType?: string } = {}): IncomingSignedRequest {
  const method = overrides.method ?? 'POST'
  const uri = overrides.uri ?? '/api/1.0/push/alice@acme?priority=high'
  const body = 'body' in overrides ? overrides.body : '{"message":"hello"}'
  const contentType = 'contentType' in overrides ? overrides.contentType : 'application/json'
  const signed = signRequest({ method, uri, body, contentType, key: KEY, secret: SECRET, date: SIGNED_AT, nonce: 'nonce-1' })
  const headers = Object.fromEntries(Object.entries(signed).map(([name, value]) => [name.toLowerCase(), value]))
  return { method, uri, headers, rawBody: body === undefined ? undefined : Buffer.from(body) }
}

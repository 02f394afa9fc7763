// The two hooks that point firebase-admin at the FCM mock: its HTTP/2 sessions, and a credential
// that asks the mock's OAuth endpoint. Written out here so the peer's process loads only the
// adapter (the test kit would bring its database and NATS modules and inflate the peer's memory).
import { createPrivateKey, sign } from 'node:crypto'
import http2 from 'node:http2'
import { connect } from 'node:tls'

/** The parts of a service-account key file the OAuth grant needs. */
export interface ServiceAccount { project_id: string, client_email: string, private_key: string, token_uri: string }

/**
 * Points firebase-admin's HTTP/2 sessions (sendEach's default transport) at the mock's TLS
 * endpoint: firebase-admin calls `http2.connect('https://fcm.googleapis.com', …)` with no socket
 * option, so in this process every session to that origin gets a `createConnection` to the mock,
 * and the `:scheme` firebase-admin 13 writes with a colon (`https:`, which Google takes and
 * nghttp2 refuses) is sent as `https` — what the dispatcher's fcm-endpoint-connection.ts does
 * for FCM_ENDPOINT, written out here so the peer loads only the adapter.
 */
export function pointFcmSessionsAt (target: { host: string, port: number, ca: string }): void {
  const original = http2.connect
  http2.connect = function (this: unknown, authority: string | URL, ...rest: unknown[]) {
    const call = original as (...args: unknown[]) => http2.ClientHttp2Session
    if (new URL(String(authority)).origin !== 'https://fcm.googleapis.com') return call.call(this, authority, ...rest)
    const [options, listener] = typeof rest[0] === 'function' ? [{}, rest[0]] : [rest[0] ?? {}, rest[1]]
    const createConnection = () => connect({ host: target.host, port: target.port, ca: target.ca, ALPNProtocols: ['h2'], servername: 'localhost' })
    const session = call.call(this, authority, { ...(options as object), createConnection }, listener)
    const request = session.request
    session.request = function (this: http2.ClientHttp2Session, headers?: http2.OutgoingHttpHeaders, ...more: unknown[]) {
      const scheme = headers?.[':scheme']
      const fixed = typeof scheme === 'string' && scheme.endsWith(':') ? { ...headers, ':scheme': scheme.slice(0, -1) } : headers
      return (request as (...args: unknown[]) => http2.ClientHttp2Stream).call(this, fixed, ...more)
    } as typeof session.request
    return session
  } as typeof http2.connect
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

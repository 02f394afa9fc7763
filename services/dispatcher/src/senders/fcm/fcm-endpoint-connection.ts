import http2 from 'node:http2'
import { connect as plainConnect, isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'

/** The origin firebase-admin 13 opens its HTTP/2 sessions to (FCM_SEND_HOST, hard-coded). */
export const FCM_ORIGIN = 'https://fcm.googleapis.com'

/** Opens the socket an HTTP/2 session to FCM runs over. */
export type FcmConnector = () => Duplex

/**
 * The connection to FCM_ENDPOINT instead of Google: TLS with ALPN h2 (trusting `ca` when given),
 * or plain TCP (h2c, prior knowledge) for an http:// endpoint.
 */
export function endpointConnector (endpoint: URL, ca: Buffer | null): FcmConnector {
  const host = endpoint.hostname.replace(/^\[|\]$/g, '')
  const port = Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443))
  if (endpoint.protocol === 'http:') return () => plainConnect({ host, port })
  return () => tlsConnect({
    host,
    port,
    ALPNProtocols: ['h2'],
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(ca === null ? {} : { ca })
  })
}

type Connect = typeof http2.connect
let current: FcmConnector | undefined
let original: Connect | undefined

const originOf = (authority: unknown): string | undefined => {
  try {
    return new URL(typeof authority === 'string' || authority instanceof URL ? authority : String((authority as { href?: unknown }).href)).origin
  } catch {
    return undefined
  }
}

/**
 * Runs `open` — a firebase-admin `sendEach`, which calls `http2.connect('https://fcm.googleapis.com',
 * …)` synchronously before returning — with that one connection made by `connector`.
 *
 * firebase-admin gives its HTTP/2 session no host, agent or socket option (Http2SessionHandler
 * passes `http2.connect` a fixed origin and options of its own), so the hook is at the connection:
 * `http2.connect` is wrapped once, and while `open` runs, a session to FCM's origin gets
 * `createConnection`. Outside `open`, and for any other origin, the wrapper passes the call on
 * untouched. Without FCM_ENDPOINT the sender never calls this (production is firebase-admin
 * as it is). A synchronous scope rather than an AsyncLocalStorage: no cost on other promises.
 */
export function connectingTo<T> (connector: FcmConnector | null, open: () => T): T {
  if (connector === null) return open()
  install()
  const previous = current
  current = connector
  try {
    return open()
  } finally {
    current = previous
  }
}

function install (): void {
  if (original !== undefined) return
  const connect = original = http2.connect
  http2.connect = function (this: unknown, authority: string | URL, ...rest: unknown[]) {
    const connector = current
    if (connector === undefined || originOf(authority) !== FCM_ORIGIN) return (connect as (...args: unknown[]) => http2.ClientHttp2Session).call(this, authority, ...rest)
    const [options, listener] = typeof rest[0] === 'function' ? [{}, rest[0]] : [rest[0] ?? {}, rest[1]]
    const session = (connect as (...args: unknown[]) => http2.ClientHttp2Session).call(this, authority, { ...(options as object), createConnection: connector }, listener)
    return withValidScheme(session)
  } as Connect
}

/**
 * firebase-admin 13 sends `:scheme: https:` (its URL's protocol, colon included: the TODO
 * b/401051826 in Http2RequestConfigImpl). Google's front end takes it; nghttp2, and so any Node
 * HTTP/2 server such as the test mock, resets the stream (PROTOCOL_ERROR: RFC 9113 §8.3.1 wants
 * RFC 3986's scheme, no colon). On the sessions to FCM_ENDPOINT only, the scheme is sent as the
 * valid `https`; what reaches Google is untouched.
 */
function withValidScheme (session: http2.ClientHttp2Session): http2.ClientHttp2Session {
  const request = session.request
  session.request = function (this: http2.ClientHttp2Session, headers?: http2.OutgoingHttpHeaders, ...rest: unknown[]) {
    const scheme = headers?.[':scheme']
    const fixed = typeof scheme === 'string' && scheme.endsWith(':') ? { ...headers, ':scheme': scheme.slice(0, -1) } : headers
    return (request as (...args: unknown[]) => http2.ClientHttp2Stream).call(this, fixed, ...rest)
  } as typeof session.request
  return session
}

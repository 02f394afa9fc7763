import type { EnvReader } from '@beacon/config'

/** Bounds on what one client can make the api do; every counter is per api instance. */
export interface ApiLimits {
  /** Wrong credentials (Basic or signed) per client address (IPv6: per /64) and window before 429. */
  authFailures: { max: number, windowMs: number }
  /** Signed API: verified requests per developer key and minute. */
  signedRequestsPerMinute: number
  /** Signed API: largest request body, read only once the Authorization header, date and key passed. */
  signedBodyLimitBytes: number
  /** In-app tokens issued per developer key and minute. */
  inAppTokensPerMinute: number
  /** In-app WebSocket connects per client address and minute, and per token and minute. */
  inAppConnectsPerMinute: number
  inAppConnectsPerTokenPerMinute: number
  /** Open sockets per (developer, application, user) and per token; the oldest is closed beyond. */
  inAppSocketsPerUser: number
  inAppSocketsPerToken: number
  /** Open sockets per developer on one instance; a connect beyond is refused (429) before its upgrade. */
  inAppSocketsPerDeveloper: number
  /** Open sockets on one instance, every developer's; a connect beyond is refused (503) before its upgrade. */
  inAppSocketsMax: number
  /**
   * A socket whose unsent data (in the api's memory, past the kernel's buffers) would exceed this
   * is a slow consumer and is closed. Every open socket may hold it: INAPP_SOCKETS_MAX times this
   * is memory the api must have. At least 32 KiB, above the largest frame (~26 KB: 4096
   * characters of content at 6 bytes each as JSON escapes, and a sender's address).
   */
  inAppMaxBufferedBytes: number
  /** Acknowledgements per socket and minute; more are answered with an error frame, not recorded. */
  inAppAcksPerMinute: number
  /** How long a client has to send a whole request (headers and body). */
  requestTimeoutMs: number
}

/**
 * TRUST_PROXY: whether X-Forwarded-For names the client (Fastify's trustProxy). Per-address limits
 * need the real client address: behind a proxy without it, every client shares the proxy's. The
 * proxies are named by address or CIDR range, so that only a connection from one of them is
 * believed. `true` is refused: it takes the leftmost X-Forwarded-For entry, which the client writes
 * itself, so every client could choose its address (and lock out another's) even behind a real
 * proxy. A hop count is refused too: it believes any connection, a client reaching the api
 * directly included, and Fastify 5 (since 5.12.8) ignores it anyway, trusting no proxy at all —
 * every client behind the proxy then shared its address, silently.
 */
export const TRUST_PROXY_RULE = 'false, or a comma-separated list of the addresses or CIDR ranges of the proxies in front of the api ' +
  '(true is refused: it would let every client choose its own address; so is a number of proxies, which any client reaching the api directly could claim to be)'

export function parseTrustProxy (text: string): false | string[] {
  const value = text.trim().toLowerCase()
  if (value === 'false') return false
  const entries = value.split(',').map((entry) => entry.trim())
  // Addresses or CIDR ranges (IPv4 or IPv6); Fastify (proxy-addr) does the matching.
  if (entries.every((entry) => /^[0-9a-f:.]+(\/\d{1,3})?$/.test(entry) && /[.:]/.test(entry))) return entries
  throw new Error('not a trust setting')
}

export function readLimits (read: EnvReader): ApiLimits {
  return {
    authFailures: {
      max: read.integer('AUTH_FAILURES_PER_ADDRESS', 20, 1, 100_000),
      windowMs: read.integer('AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400) * 1000
    },
    signedRequestsPerMinute: read.integer('SIGNED_REQUESTS_PER_MINUTE', 12_000, 1, 10_000_000),
    signedBodyLimitBytes: read.integer('SIGNED_BODY_LIMIT_BYTES', 65_536, 1024, 5 * 1024 * 1024),
    inAppTokensPerMinute: read.integer('INAPP_TOKENS_PER_MINUTE', 6000, 1, 10_000_000),
    inAppConnectsPerMinute: read.integer('INAPP_CONNECTS_PER_MINUTE', 600, 1, 10_000_000),
    inAppConnectsPerTokenPerMinute: read.integer('INAPP_CONNECTS_PER_TOKEN_PER_MINUTE', 20, 1, 10_000),
    inAppSocketsPerUser: read.integer('INAPP_SOCKETS_PER_USER', 8, 1, 1000),
    inAppSocketsPerToken: read.integer('INAPP_SOCKETS_PER_TOKEN', 4, 1, 1000),
    inAppSocketsPerDeveloper: read.integer('INAPP_SOCKETS_PER_DEVELOPER', 1000, 1, 1_000_000),
    inAppSocketsMax: read.integer('INAPP_SOCKETS_MAX', 2000, 1, 1_000_000),
    inAppMaxBufferedBytes: read.integer('INAPP_MAX_BUFFERED_BYTES', 64 * 1024, 32 * 1024, 256 * 1024 * 1024),
    inAppAcksPerMinute: read.integer('INAPP_ACKS_PER_MINUTE', 3000, 1, 1_000_000),
    requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000)
  }
}

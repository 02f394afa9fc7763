import { ConfigError, EnvReader, readCommon, type Env, type LogLevel } from '@beacon/config'
import { databaseUrlProblem, MASTER_KEY_RULE, parseMasterKey } from '@beacon/db'
import { GOOGLE_TOKEN_URIS, URL_LIST_RULE, parseUrlList } from '@beacon/outbound'

export { ConfigError }

export interface RetryPolicy {
  /** Attempts per device, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** RETRY_AFTER_MAX_MS: the longest a provider's Retry-After makes us wait. */
  retryAfterMaxMs: number
}

export interface DispatcherConfig {
  logLevel: LogLevel
  databaseUrl: string
  databasePoolSize: number
  databaseGroupSpacingMs: number
  /** DATABASE_CONNECT_TIMEOUT_MS and DATABASE_QUERY_TIMEOUT_MS (0: no limit): see packages/db client.ts. */
  databaseConnectTimeoutMs: number
  databaseQueryTimeoutMs: number
  masterKey: Buffer
  nats: { url: string, prefix: string, pingIntervalMs: number }
  /** Commands handled at once by this dispatcher. */
  concurrency: number
  /** Of those, campaign chunks in hand (those sending hold their users' devices and claim a window ahead). */
  chunkConcurrency: number
  /** Of the chunks in hand, those sending at once (DISPATCHER_CHUNKS_SENDING); the others wait for a place. */
  chunksSending: number
  retry: RetryPolicy
  /** How long a command may go without a heartbeat before JetStream gives it to another dispatcher. */
  commandAckWaitMs: number
  commandMaxDeliver: number
  /** How long a stop may take: in-flight requests are awaited until then, the rest given back. */
  shutdownTimeoutMs: number
  /** METRICS_PORT and METRICS_HOST: the ops listener (/metrics, /healthz, /readyz); null when METRICS_PORT is unset. */
  metrics: { port: number, host: string } | null
  apns: { endpoint: URL | null, caFile: string | null, requestTimeoutMs: number, maxStreams: number }
  fcm: {
    endpoint: URL | null
    caFile: string | null
    requestTimeoutMs: number
    concurrency: number
    /** Where a service account's token_uri may point, and whether it may resolve to a private address. */
    tokenEndpoints: TokenEndpointPolicy
  }
}

export interface TokenEndpointPolicy {
  /** FCM_TOKEN_URIS: the token endpoints a service account may name (normalised URLs). */
  allowedUris: readonly string[]
  /** FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: token endpoints on loopback and private addresses (the tests' mock). */
  allowPrivateNetworks: boolean
}

// An IPv4 or IPv6 address or a host name: what node's listen() takes.
const HOST = /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|[0-9A-Fa-f:.]{2,45})$/

/** A URL parser that takes only the protocols given (`https:`, …). */
const urlOf = (...protocols: string[]) => (text: string) => {
  const url = new URL(text)
  if (!protocols.includes(url.protocol)) throw new Error(`not ${protocols.join(' or ')}`)
  return url
}
const httpUrl = urlOf('https:', 'http:')
const httpsUrl = urlOf('https:')

/** Reads and validates the dispatcher's environment, reporting every bad value at once. */
export function loadConfig (env: Env = process.env): DispatcherConfig {
  const read = new EnvReader(env)
  const common = readCommon(read)
  // Prisma's ?schema= (packages/db, connection.ts): checked with the other settings, never echoing the URL.
  const urlProblem = databaseUrlProblem(common.databaseUrl)
  if (urlProblem !== null) read.check(false, urlProblem)
  const config: DispatcherConfig = {
    ...common,
    masterKey: read.parsed('MASTER_KEY', parseMasterKey, MASTER_KEY_RULE, Buffer.alloc(0), { required: true, secret: true }),
    // Single messages are short and wait mostly on round trips: 16 in hand held a dispatcher to
    // ~300 messages a second with p99 in seconds; 64 to 256 all reached the 500 offered (bench,
    // single messages). Chunks keep the old limit: each holds up to CAMPAIGN_CHUNK_USERS users'
    // devices and a claim window, and already fills the senders.
    concurrency: read.integer('DISPATCHER_CONCURRENCY', 128, 1, 1000),
    chunkConcurrency: read.integer('DISPATCHER_CHUNK_CONCURRENCY', 16, 1, 1000),
    // Fewer chunks sending keep fewer devices, claims and results alive at once, for the garbage
    // collector to copy (100,000 users, 1 dispatcher: 101-107 µs of its CPU per notification
    // with 4, 124-125 with all 16). A chunk leaves its place once only answers to its requests
    // are left, so the senders do not idle at a chunk's end, and 2 send as fast as 4 did with less CPU, a
    // provider's round trip or not (README, DISPATCHER_CHUNKS_SENDING). Only sending is limited:
    // the chunks in hand still set how many commands a pull takes, which single messages need
    // (with 4 in hand their p99 rose from 32 to 43 ms).
    chunksSending: read.integer('DISPATCHER_CHUNKS_SENDING', 2, 1, 1000),
    retry: {
      maxAttempts: read.integer('RETRY_MAX_ATTEMPTS', 5, 1, 100),
      baseDelayMs: read.integer('RETRY_BASE_DELAY_MS', 1000, 1, 600_000),
      maxDelayMs: read.integer('RETRY_MAX_DELAY_MS', 60_000, 1, 3_600_000),
      // 60 s: FCM's advised least wait after a 429, and our own longest backoff. A wait holds a
      // command slot, so longer asks are retried after this (and end as failed after maxAttempts).
      retryAfterMaxMs: read.integer('RETRY_AFTER_MAX_MS', 60_000, 1000, 3_600_000)
    },
    commandAckWaitMs: read.integer('COMMAND_ACK_WAIT_MS', 30_000, 1000, 3_600_000),
    commandMaxDeliver: read.integer('COMMAND_MAX_DELIVER', 10, 1, 1000),
    // Below Docker's default 10 s stop grace period, after which the process is killed.
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 8000, 100, 600_000),
    // No listener unless asked for: a dispatcher has no other port, and this one has no credentials.
    metrics: read.string('METRICS_PORT') === ''
      ? null
      : {
          port: read.integer('METRICS_PORT', 0, 1, 65_535),
          host: read.matching('METRICS_HOST', HOST, 'an address or host name to listen on, such as 0.0.0.0 or 127.0.0.1', '0.0.0.0')
        },
    apns: {
      endpoint: read.parsed('APNS_ENDPOINT', httpUrl, 'an https:// URL such as https://api.push.apple.com:443', null),
      caFile: read.string('APNS_CA_FILE') || null,
      requestTimeoutMs: read.integer('APNS_TIMEOUT_MS', 10_000, 100, 600_000),
      maxStreams: read.integer('APNS_MAX_STREAMS', 250, 1, 1000)
    },
    fcm: {
      endpoint: read.parsed('FCM_ENDPOINT', httpsUrl, 'an https:// URL such as https://fcm.googleapis.com (FCM is HTTP/2 over TLS)', null),
      caFile: read.string('FCM_CA_FILE') || null,
      requestTimeoutMs: read.integer('FCM_TIMEOUT_MS', 10_000, 100, 600_000),
      concurrency: read.integer('FCM_CONCURRENCY', 256, 1, 10_000),
      tokenEndpoints: {
        allowedUris: read.parsed('FCM_TOKEN_URIS', parseUrlList, URL_LIST_RULE, [...GOOGLE_TOKEN_URIS]),
        allowPrivateNetworks: read.boolean('FCM_TOKEN_ALLOW_PRIVATE_NETWORKS', false)
      }
    }
  }
  read.check(config.retry.baseDelayMs <= config.retry.maxDelayMs, 'RETRY_BASE_DELAY_MS must not exceed RETRY_MAX_DELAY_MS')
  // A smaller DISPATCHER_CONCURRENCY alone (as tests set) lowers both. Compared only when both
  // read well: a bad one stands in as its default, which would make a second, false complaint.
  if (read.string('DISPATCHER_CHUNK_CONCURRENCY') === '') config.chunkConcurrency = Math.min(config.chunkConcurrency, config.concurrency)
  // Likewise a smaller chunk limit lowers the unset sending one.
  if (read.string('DISPATCHER_CHUNKS_SENDING') === '') config.chunksSending = Math.min(config.chunksSending, config.chunkConcurrency)
  const unread = read.problems.some((problem) => /^DISPATCHER_(CHUNK_)?CONCURRENCY /.test(problem))
  read.check(unread || config.chunkConcurrency <= config.concurrency, 'DISPATCHER_CHUNK_CONCURRENCY must not exceed DISPATCHER_CONCURRENCY')
  const sendingUnread = read.problems.some((problem) => /^DISPATCHER_(CHUNK_CONCURRENCY|CHUNKS_SENDING|CONCURRENCY) /.test(problem))
  read.check(sendingUnread || config.chunksSending <= config.chunkConcurrency, 'DISPATCHER_CHUNKS_SENDING must not exceed DISPATCHER_CHUNK_CONCURRENCY')
  read.done()
  return config
}

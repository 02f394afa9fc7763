import { ConfigError, EnvReader, readCommon, type Env, type LogLevel } from '@beacon/config'
import { MASTER_KEY_RULE, parseMasterKey } from '@beacon/db'
import { GOOGLE_TOKEN_URIS, URL_LIST_RULE, parseUrlList } from '@beacon/outbound'
import { TRUST_PROXY_RULE, parseTrustProxy, readLimits, type ApiLimits } from './config-limits.js'
import { isLoopbackHost } from './listen-address.js'
import { readTlsSettings, type TlsSettings } from './tls/settings.js'

export { ConfigError }

export interface ApiConfig {
  host: string
  port: number
  /** null: plain HTTP. Otherwise HTTPS (and WSS for the in-app channel) on the same port. */
  tls: TlsSettings | null
  logLevel: LogLevel
  databaseUrl: string
  databasePoolSize: number
  masterKey: Buffer
  /** null: the API runs without authentication (AUTH_DISABLED=true, loopback HOST only). */
  auth: { username: string, password: string } | null
  powerAuth: { url: string, username?: string, password?: string, timeoutMs: number } | null
  bodyLimitBytes: number
  /** Fastify's trustProxy: whether (and from which proxies) X-Forwarded-For names the client. */
  trustProxy: false | number | string[]
  limits: ApiLimits
  environmentName: string
  nats: { url: string, prefix: string }
  /** How long a SYNCHRONOUS send waits for every device's outcome before answering with the rest pending. */
  syncTimeoutMs: number
  /** Users per campaign chunk (one dispatcher command). */
  campaignChunkUsers: number
  outbox: {
    /** OUTBOX_SWEEP_INTERVAL_MS: pause between the outbox sweeper's rounds. */
    sweepIntervalMs: number
    /** OUTBOX_PUBLISH_GRACE_MS: the writer's own publish goes first; a failed publish waits this long. */
    publishGraceMs: number
  }
  /** The signed developer API (MAAIISDK10). */
  signedApi: {
    /** How far X-M-Date may be from the server clock, either way. */
    windowSeconds: number
    /** Lifetime of an in-app channel token handed to a developer's backend. */
    inAppTokenTtlSeconds: number
    /** How long an in-app message waits for a device's acknowledgement before going out as push. */
    inAppAckTimeoutMs: number
    /** After this an unacknowledged in-app message is reported expired and no longer replayed. */
    inAppMessageTtlSeconds: number
    /** Keep-alive: every in-app socket is pinged this often, and closed if it did not answer the previous ping. */
    inAppPingIntervalMs: number
    /** Attempts per callback (the first included) before it is given up, logged. */
    callbackMaxAttempts: number
    /** First retry delay of a callback; doubles per attempt up to callbackMaxDelayMs. */
    callbackBaseDelayMs: number
    callbackMaxDelayMs: number
    /** Per-attempt timeout of a callback POST. */
    callbackTimeoutMs: number
    /** Where callbacks may go: https only, public addresses only, unless these allow more. */
    callbackPolicy: CallbackPolicy
  }
  /** Token endpoints an uploaded FCM service account's `token_uri` may name (normalised URLs). */
  fcmTokenUris: string[]
  /** API_DOCS: serve the OpenAPI document (/openapi.json) and Swagger UI (/docs). */
  apiDocs: boolean
}

export interface CallbackPolicy {
  /** CALLBACK_ALLOW_HTTP: plain http callback URLs (local development). */
  allowHttp: boolean
  /** CALLBACK_ALLOW_PRIVATE_NETWORKS: callbacks to loopback and private addresses. */
  allowPrivateNetworks: boolean
}

/** Reads and validates the api's environment; every bad value is reported, not just the first. */
export function loadConfig (env: Env = process.env): ApiConfig {
  const read = new EnvReader(env)
  const common = readCommon(read)
  const masterKey = read.parsed('MASTER_KEY', parseMasterKey, MASTER_KEY_RULE, Buffer.alloc(0), { required: true })
  const authDisabled = read.boolean('AUTH_DISABLED', false)
  const username = read.string('AUTH_USERNAME', { required: !authDisabled })
  const password = read.string('AUTH_PASSWORD', { required: !authDisabled })
  read.check(authDisabled || password === '' || password.length >= 12, 'AUTH_PASSWORD must be at least 12 characters')
  const host = read.string('HOST') || '127.0.0.1'
  // An open API must not be one the network can reach: refused, not warned about.
  read.check(!authDisabled || isLoopbackHost(host),
    `AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=${host}`)
  const powerAuthUrl = read.matching('POWERAUTH_SERVICE_URL', /^https?:\/\/\S+$/, 'an http(s) URL', '')
  const powerAuthUser = read.string('POWERAUTH_USERNAME')
  const powerAuthPassword = read.string('POWERAUTH_PASSWORD')
  const powerAuthTimeoutMs = read.integer('POWERAUTH_TIMEOUT_MS', 5000, 100, 120_000)

  const config: ApiConfig = {
    ...common,
    host,
    port: read.integer('PORT', 8080, 0, 65535),
    tls: readTlsSettings(read),
    masterKey,
    auth: authDisabled ? null : { username, password },
    powerAuth: powerAuthUrl === ''
      ? null
      : {
          url: powerAuthUrl.replace(/\/+$/, ''),
          timeoutMs: powerAuthTimeoutMs,
          ...(powerAuthUser === '' ? {} : { username: powerAuthUser, password: powerAuthPassword })
        },
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    trustProxy: read.parsed('TRUST_PROXY', parseTrustProxy, TRUST_PROXY_RULE, false),
    limits: readLimits(read),
    environmentName: read.string('APP_ENVIRONMENT'),
    syncTimeoutMs: read.integer('SYNC_TIMEOUT_MS', 10_000, 100, 300_000),
    campaignChunkUsers: read.integer('CAMPAIGN_CHUNK_USERS', 1000, 1, 100_000),
    outbox: {
      sweepIntervalMs: read.integer('OUTBOX_SWEEP_INTERVAL_MS', 1000, 10, 60_000),
      publishGraceMs: read.integer('OUTBOX_PUBLISH_GRACE_MS', 10_000, 0, 300_000)
    },
    signedApi: {
      windowSeconds: read.integer('SIGNATURE_WINDOW_SECONDS', 300, 1, 86_400),
      inAppTokenTtlSeconds: read.integer('INAPP_TOKEN_TTL_SECONDS', 300, 10, 86_400),
      inAppAckTimeoutMs: read.integer('INAPP_ACK_TIMEOUT_MS', 5000, 0, 3_600_000),
      inAppMessageTtlSeconds: read.integer('INAPP_MESSAGE_TTL_SECONDS', 7 * 86_400, 1, 90 * 86_400),
      inAppPingIntervalMs: read.integer('INAPP_PING_INTERVAL_MS', 30_000, 1000, 300_000),
      callbackMaxAttempts: read.integer('CALLBACK_MAX_ATTEMPTS', 8, 1, 100),
      callbackBaseDelayMs: read.integer('CALLBACK_BASE_DELAY_MS', 1000, 10, 3_600_000),
      callbackMaxDelayMs: read.integer('CALLBACK_MAX_DELAY_MS', 300_000, 10, 86_400_000),
      callbackTimeoutMs: read.integer('CALLBACK_TIMEOUT_MS', 10_000, 100, 120_000),
      callbackPolicy: {
        allowHttp: read.boolean('CALLBACK_ALLOW_HTTP', false),
        allowPrivateNetworks: read.boolean('CALLBACK_ALLOW_PRIVATE_NETWORKS', false)
      }
    },
    fcmTokenUris: read.parsed('FCM_TOKEN_URIS', parseUrlList, URL_LIST_RULE, [...GOOGLE_TOKEN_URIS]),
    apiDocs: read.boolean('API_DOCS', true)
  }
  read.done()
  return config
}

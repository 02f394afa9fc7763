import { isIP } from 'node:net'
import { ConfigError, EnvReader, readCommon, type Env, type LogLevel } from '@beacon/config'
import { databaseUrlProblem, MASTER_KEY_RULE, parseMasterKey } from '@beacon/db'
import { GOOGLE_TOKEN_URIS, URL_LIST_RULE, parseUrlList } from '@beacon/outbound'
import { readConsole, type ConsoleSettings } from './config-console.js'
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
  databaseGroupSpacingMs: number
  /** DATABASE_CONNECT_TIMEOUT_MS and DATABASE_QUERY_TIMEOUT_MS (0: no limit): see packages/db client.ts. */
  databaseConnectTimeoutMs: number
  databaseQueryTimeoutMs: number
  masterKey: Buffer
  /** null: the API runs without authentication (AUTH_DISABLED=true, loopback HOST only). */
  auth: { username: string, password: string } | null
  powerAuth: { url: string, username?: string, password?: string, timeoutMs: number } | null
  bodyLimitBytes: number
  /** Fastify's trustProxy: whether (and from which proxies) X-Forwarded-For names the client. */
  trustProxy: false | string[]
  limits: ApiLimits
  environmentName: string
  /** SHUTDOWN_TIMEOUT_MS: from a signal (or an uncaught error) to the exit; past it the process exits 1. */
  shutdownTimeoutMs: number
  nats: { url: string, prefix: string, pingIntervalMs: number }
  /** How long a SYNCHRONOUS send waits for every device's outcome before answering with the rest pending. */
  syncTimeoutMs: number
  /** Users per campaign chunk (one dispatcher command). */
  campaignChunkUsers: number
  /** RESULTS_BATCH_SPACING_MS: while busy, the result recorder's batches start at least this long apart. */
  resultsBatchSpacingMs: number
  outbox: {
    /** OUTBOX_SWEEP_INTERVAL_MS: pause between the outbox sweeper's rounds. */
    sweepIntervalMs: number
    /** OUTBOX_PUBLISH_GRACE_MS: the writer's own publish goes first; a failed publish waits this long. */
    publishGraceMs: number
  }
  retention: RetentionSettings
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
    /** Callback attempts one api instance makes at once, all developers together. */
    callbackConcurrency: number
    /** Of those, how many one developer's callbacks may hold: a server that hangs holds no more. */
    callbackDeveloperConcurrency: number
    /** Where callbacks may go: https only, public addresses only, unless these allow more. */
    callbackPolicy: CallbackPolicy
  }
  /** Token endpoints an uploaded FCM service account's `token_uri` may name (normalised URLs). */
  fcmTokenUris: string[]
  operations: OperationsSettings
  /** API_DOCS: serve the OpenAPI document (/openapi.json) and Swagger UI (/docs). */
  apiDocs: boolean
  console: ConsoleSettings
}

/** How long finished records are kept (0: for ever), and how often each api instance looks for older ones. */
export interface RetentionSettings {
  /** RETENTION_DAYS: finished messages (with their per-device outcomes) and callback records older than this are deleted. */
  days: number
  /** RETENTION_SWEEP_INTERVAL_MS: pause between two rounds of deletions. */
  sweepIntervalMs: number
}

/** Metrics, health and load shedding. */
export interface OperationsSettings {
  /** METRICS_PORT: null serves /metrics on the API port; a port serves it only on a listener of its own. */
  metricsPort: number | null
  /** METRICS_HOST: where that listener binds (default: HOST). */
  metricsHost: string
  /** MAX_EVENT_LOOP_DELAY_MS: past this mean event-loop delay requests are shed with 503; 0 never sheds. */
  maxEventLoopDelayMs: number
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
  // Prisma's ?schema= (packages/db, connection.ts): checked with the other settings, never echoing the URL.
  const urlProblem = databaseUrlProblem(common.databaseUrl)
  if (urlProblem !== null) read.check(false, urlProblem)
  const masterKey = read.parsed('MASTER_KEY', parseMasterKey, MASTER_KEY_RULE, Buffer.alloc(0), { required: true, secret: true })
  const authDisabled = read.boolean('AUTH_DISABLED', false)
  const username = read.string('AUTH_USERNAME', { required: !authDisabled })
  const password = read.secret('AUTH_PASSWORD', { required: !authDisabled })
  read.check(authDisabled || password === '' || password.length >= 12, 'AUTH_PASSWORD must be at least 12 characters')
  const host = read.string('HOST') || '127.0.0.1'
  // An open API must not be one the network can reach: refused, not warned about.
  read.check(!authDisabled || isLoopbackHost(host),
    `AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=${host}`)
  // Not echoed when refused: a URL may carry a user and password (ftp://user:secret@host).
  const powerAuthUrl = read.parsed('POWERAUTH_SERVICE_URL', (text) => {
    if (!/^https?:\/\/\S+$/.test(text) || !URL.canParse(text)) throw new Error('not an http(s) URL')
    return text
  }, 'an http(s) URL (the value is not shown)', '')
  // fetch refuses a URL with credentials, quoting it whole in its error (which the log would keep).
  const powerAuthParsed = powerAuthUrl === '' ? null : new URL(powerAuthUrl)
  read.check(powerAuthParsed === null || (powerAuthParsed.username === '' && powerAuthParsed.password === ''),
    'POWERAUTH_SERVICE_URL must not carry a user or password (the value is not shown): give them in POWERAUTH_USERNAME and POWERAUTH_PASSWORD')
  const powerAuthUser = read.string('POWERAUTH_USERNAME')
  const powerAuthPassword = read.secret('POWERAUTH_PASSWORD')
  const powerAuthTimeoutMs = read.integer('POWERAUTH_TIMEOUT_MS', 5000, 100, 120_000)

  const tls = readTlsSettings(read)
  const config: ApiConfig = {
    ...common,
    host,
    port: read.integer('PORT', 8080, 0, 65535),
    tls,
    masterKey,
    auth: authDisabled ? null : { username, password },
    powerAuth: powerAuthUrl === ''
      ? null
      : {
          url: powerAuthUrl.replace(/(?<!\/)\/+$/, ''),
          timeoutMs: powerAuthTimeoutMs,
          ...(powerAuthUser === '' ? {} : { username: powerAuthUser, password: powerAuthPassword })
        },
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    trustProxy: read.parsed('TRUST_PROXY', parseTrustProxy, TRUST_PROXY_RULE, false),
    limits: readLimits(read),
    environmentName: read.string('APP_ENVIRONMENT'),
    // The dispatcher's variable and range: one setting for the whole deployment's stop budget.
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 8000, 100, 600_000),
    syncTimeoutMs: read.integer('SYNC_TIMEOUT_MS', 10_000, 100, 300_000),
    campaignChunkUsers: read.integer('CAMPAIGN_CHUNK_USERS', 1000, 1, 100_000),
    resultsBatchSpacingMs: read.integer('RESULTS_BATCH_SPACING_MS', 50, 0, 1000),
    outbox: {
      sweepIntervalMs: read.integer('OUTBOX_SWEEP_INTERVAL_MS', 1000, 10, 60_000),
      publishGraceMs: read.integer('OUTBOX_PUBLISH_GRACE_MS', 10_000, 0, 300_000)
    },
    retention: {
      days: read.integer('RETENTION_DAYS', 0, 0, 36_500),
      sweepIntervalMs: read.integer('RETENTION_SWEEP_INTERVAL_MS', 600_000, 1000, 86_400_000)
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
      callbackConcurrency: read.integer('CALLBACK_CONCURRENCY', 64, 1, 1000),
      callbackDeveloperConcurrency: read.integer('CALLBACK_DEVELOPER_CONCURRENCY', 16, 1, 1000),
      callbackPolicy: {
        allowHttp: read.boolean('CALLBACK_ALLOW_HTTP', false),
        allowPrivateNetworks: read.boolean('CALLBACK_ALLOW_PRIVATE_NETWORKS', false)
      }
    },
    fcmTokenUris: read.parsed('FCM_TOKEN_URIS', parseUrlList, URL_LIST_RULE, [...GOOGLE_TOKEN_URIS]),
    operations: readOperations(read, host),
    apiDocs: read.boolean('API_DOCS', true),
    console: readConsole(read)
  }
  // Both on one port would serve /metrics with the API, which METRICS_PORT is there to avoid.
  read.check(config.operations.metricsPort === null || config.operations.metricsPort === 0 || config.operations.metricsPort !== config.port,
    `METRICS_PORT must differ from PORT (both are ${config.port}); leave METRICS_PORT unset to serve /metrics on the API port`)
  read.check(config.signedApi.callbackDeveloperConcurrency <= config.signedApi.callbackConcurrency,
    `CALLBACK_DEVELOPER_CONCURRENCY (${config.signedApi.callbackDeveloperConcurrency}) must not exceed CALLBACK_CONCURRENCY (${config.signedApi.callbackConcurrency})`)
  read.done()
  return config
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/

function parseListenHost (text: string): string {
  if (isIP(text) === 0 && !HOST_NAME.test(text)) throw new Error('not a host')
  return text
}

function readOperations (read: EnvReader, host: string): OperationsSettings {
  return {
    metricsPort: read.string('METRICS_PORT') === '' ? null : read.integer('METRICS_PORT', 0, 0, 65535),
    metricsHost: read.parsed('METRICS_HOST', parseListenHost, 'an IP address or host name to listen on (no scheme, port or path)', host),
    maxEventLoopDelayMs: read.integer('MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000)
  }
}

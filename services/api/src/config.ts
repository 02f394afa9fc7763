import { ConfigError, EnvReader, readCommon, type Env, type LogLevel } from '@beacon/config'
import { MASTER_KEY_RULE, parseMasterKey } from '@beacon/db'

export { ConfigError }

export interface ApiConfig {
  host: string
  port: number
  logLevel: LogLevel
  databaseUrl: string
  databasePoolSize: number
  masterKey: Buffer
  /** null: the API runs without authentication (AUTH_DISABLED=true). */
  auth: { username: string, password: string } | null
  powerAuth: { url: string, username?: string, password?: string, timeoutMs: number } | null
  bodyLimitBytes: number
  environmentName: string
  nats: { url: string, prefix: string }
  /** How long a SYNCHRONOUS send waits for every device's outcome before answering with the rest pending. */
  syncTimeoutMs: number
  /** Users per campaign chunk (one dispatcher command). */
  campaignChunkUsers: number
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
  const powerAuthUrl = read.matching('POWERAUTH_SERVICE_URL', /^https?:\/\/\S+$/, 'an http(s) URL', '')
  const powerAuthUser = read.string('POWERAUTH_USERNAME')
  const powerAuthPassword = read.string('POWERAUTH_PASSWORD')
  const powerAuthTimeoutMs = read.integer('POWERAUTH_TIMEOUT_MS', 5000, 100, 120_000)

  const config: ApiConfig = {
    ...common,
    host: read.string('HOST') || '127.0.0.1',
    port: read.integer('PORT', 8080, 0, 65535),
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
    environmentName: read.string('APP_ENVIRONMENT'),
    syncTimeoutMs: read.integer('SYNC_TIMEOUT_MS', 10_000, 100, 300_000),
    campaignChunkUsers: read.integer('CAMPAIGN_CHUNK_USERS', 1000, 1, 100_000)
  }
  read.done()
  return config
}

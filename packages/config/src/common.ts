import type { EnvReader } from './env-reader.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/** Settings both services read the same way. */
export function readCommon (read: EnvReader) {
  const databaseUrl = read.secret('DATABASE_URL', { required: true })
  read.check(databaseUrl === '' || /^postgres(ql)?:\/\//.test(databaseUrl), 'DATABASE_URL must be a postgresql:// connection string')
  return {
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    databaseUrl,
    databasePoolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 500),
    // Under load, single sends' statements start at most this often, each carrying every send that
    // came meanwhile (group-commit.ts): a statement costs every process a round trip whatever it carries.
    databaseGroupSpacingMs: read.integer('DATABASE_GROUP_SPACING_MS', 10, 0, 1000),
    // A database that goes silent (packets dropped, not refused) must fail statements, not hold
    // them and their connections until TCP gives up (client.ts). 0: no limit.
    databaseConnectTimeoutMs: read.integer('DATABASE_CONNECT_TIMEOUT_MS', 10_000, 0, 600_000),
    databaseQueryTimeoutMs: read.integer('DATABASE_QUERY_TIMEOUT_MS', 60_000, 0, 3_600_000),
    nats: {
      url: read.string('NATS_URL') || 'nats://127.0.0.1:4222',
      prefix: read.matching('NATS_PREFIX', /^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)', 'beacon'),
      // A connection that goes silent (packets dropped, not refused) is found dead when two pings
      // are unanswered at the next tick: with nats.js's 2 minutes, 4 to 6 minutes after the silence.
      // Not below a second: a late answer (a pause, a busy server) would make it reconnect for nothing.
      pingIntervalMs: read.integer('NATS_PING_INTERVAL_MS', 10_000, 1000, 600_000)
    }
  }
}

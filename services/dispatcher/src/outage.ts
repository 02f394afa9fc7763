import { TransportError, TransportErrorCode } from '@beacon/transport'

export type Part = 'database' | 'nats'

// Errors of a database that is not there (refused, reset, shut down, unreachable), as pg and
// node report them; SQLSTATE class 08 is "connection exception", 57P01–57P03 a server shutting
// down or starting, 53300 too many connections (a server just restarted, its clients reconnecting).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'])
const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03', '53300'])
// A statement whose answer did not come within DATABASE_QUERY_TIMEOUT_MS ('Query read timeout') is
// a database that went silent, not a failure of the command.
const POOL_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error and is not queryable|Client was closed and is not queryable/

/**
 * Which part is unreachable, if that is why `error` happened: such a step is held and tried again
 * when the part is back, instead of failing the command (which would spend one of its deliveries).
 * Anything else is a failure of the command itself.
 */
export function outageOf (error: unknown): Part | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof TransportError) return current.code === TransportErrorCode.UNAVAILABLE ? 'nats' : null
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SHUTDOWN_STATES.has(code) || code.startsWith('08'))) return 'database'
    if (POOL_MESSAGES.test(current.message)) return 'database'
    // AggregateError: node's connect to several addresses (IPv4 and IPv6) of one host.
    if (current instanceof AggregateError && current.errors.some((inner) => outageOf(inner) === 'database')) return 'database'
  }
  return null
}

import pg from 'pg'

// What the network says when the database cannot be reached or the connection broke.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
// What node-postgres itself says when a connection ends or cannot be had in time.
const CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect)/

/**
 * A statement sent through `Db.pool` failed in the database or on the way to it: the server
 * refused it (`DatabaseError`, its `code` the SQLSTATE) or the connection could not be had or
 * broke. Prisma's own failures are its error classes; this is the pool's counterpart.
 */
export function isPoolFailure (error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return true
  if (!(error instanceof Error)) return false
  const code = (error as NodeJS.ErrnoException).code
  return (code !== undefined && NETWORK_CODES.has(code)) || CONNECTION_MESSAGES.test(error.message)
}

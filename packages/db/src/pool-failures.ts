import pg from 'pg'

// What the network says when the database cannot be reached or the connection broke.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
// What node-postgres itself says when a connection ends or cannot be had in time, when a
// statement's answer did not come in time (DATABASE_QUERY_TIMEOUT_MS), or when the URL asks for
// TLS (`sslmode`) and the server has none.
const CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|The server does not support SSL connections)/
// A TLS connection to the database that could not be set up: Node's own TLS codes, OpenSSL's
// (a handshake refused) and the certificate checks' (an expired or untrusted server certificate,
// another host's name). A certificate that expires in production makes every new connection
// fail this way: the database is unavailable, not the request wrong.
const TLS_CODE_PREFIXES = /^(ERR_TLS_|ERR_SSL_)/
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'INVALID_CA', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD'
])

/**
 * A statement sent through `Db.pool` failed in the database or on the way to it: the server
 * refused it (`DatabaseError`, its `code` the SQLSTATE) or the connection could not be had (no
 * server, no TLS agreed) or broke. Prisma's own failures are its error classes; this is the
 * pool's counterpart.
 */
export function isPoolFailure (error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return true
  if (!(error instanceof Error)) return false
  const code = (error as NodeJS.ErrnoException).code
  if (code !== undefined && (NETWORK_CODES.has(code) || CERTIFICATE_CODES.has(code) || TLS_CODE_PREFIXES.test(code))) return true
  return CONNECTION_MESSAGES.test(error.message)
}

// Failures before anything was sent: no connection could be had or made (refused, no such host,
// TLS refused, pg-pool's connect timeouts, a client already closed).
const NOTHING_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
const NOTHING_SENT_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout|The server does not support SSL connections|Client was closed and is not queryable|Client has encountered a connection error and is not queryable)/
// PostgreSQL's answers that ask for the statement to be run again: a deadlock, a serialization failure.
const RUN_AGAIN_STATES = new Set(['40P01', '40001'])

/**
 * Whether a statement that failed is worth running again at once, because it may have been
 * carried out all the same (its answer lost: the connection ended, or no answer came in time,
 * after it was sent) or because PostgreSQL asks for it (a deadlock or a serialization failure,
 * nothing written). Not when PostgreSQL refused it otherwise (nothing was written, and would not
 * be) or nothing was sent (no connection could be had or made).
 */
export function worthRunningAgain (error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return error.code !== undefined && RUN_AGAIN_STATES.has(error.code)
  if (!(error instanceof Error)) return true
  const code = (error as NodeJS.ErrnoException).code
  if (code !== undefined && (NOTHING_SENT_CODES.has(code) || CERTIFICATE_CODES.has(code) || TLS_CODE_PREFIXES.test(code))) return false
  return !NOTHING_SENT_MESSAGES.test(error.message)
}

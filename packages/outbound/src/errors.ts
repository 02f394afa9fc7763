/** Stable codes of @beacon/outbound: what a failed attempt is reported as, never upstream text. */
export const OutboundErrorCode = {
  /** The destination's address (resolved, or literal in the URL) is loopback, private, link-local, … */
  DESTINATION_FORBIDDEN: 'DestinationForbidden'
} as const
export type OutboundErrorCode = typeof OutboundErrorCode[keyof typeof OutboundErrorCode]

/**
 * A connection refused before it was made: `host` as the URL named it, `address` the IP it
 * resolved to (or the literal), `range` the kind of address (loopback, private, linkLocal, …).
 * The code sits where Node puts a network error's code (`error.code`, or `cause.code` under
 * fetch's "fetch failed"), so callers that report ECONNREFUSED report this the same way.
 */
export class DestinationForbiddenError extends Error {
  override name = 'DestinationForbiddenError'
  readonly code = OutboundErrorCode.DESTINATION_FORBIDDEN
  constructor (readonly host: string, readonly address: string, readonly range: string) {
    super(host === address || host === `[${address}]`
      ? `${address} is a ${range} address: refused`
      : `${host} resolves to ${address}, a ${range} address: refused`)
  }
}

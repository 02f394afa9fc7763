export const TransportErrorCode = {
  CONNECT_FAILED: 'TRANSPORT_CONNECT_FAILED',
  PUBLISH_FAILED: 'TRANSPORT_PUBLISH_FAILED',
  /** The broker did not answer (disconnected, timed out, no JetStream): the same publish may succeed later. */
  UNAVAILABLE: 'TRANSPORT_UNAVAILABLE',
  /**
   * A definite refusal: the server will never take this message as it is (over its max payload),
   * so publishing it again cannot succeed. Anything else that fails (no connection, a timeout, no
   * stream answering) may succeed later and is PUBLISH_FAILED.
   */
  PUBLISH_REFUSED: 'TRANSPORT_PUBLISH_REFUSED',
  INVALID_MESSAGE: 'TRANSPORT_INVALID_MESSAGE',
  /** The broker answers, but a work-queue stream is missing (deleted by hand, a JetStream that lost its store). */
  STREAM_MISSING: 'TRANSPORT_STREAM_MISSING',
  CLOSED: 'TRANSPORT_CLOSED',
  /** The close did not finish in time (handlers still running, NATS answering nothing): the connection was closed without waiting more. */
  CLOSE_TIMEOUT: 'TRANSPORT_CLOSE_TIMEOUT'
} as const
export type TransportErrorCode = typeof TransportErrorCode[keyof typeof TransportErrorCode]

export class TransportError extends Error {
  override name = 'TransportError'
  constructor (readonly code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

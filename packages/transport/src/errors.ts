export const TransportErrorCode = {
  CONNECT_FAILED: 'TRANSPORT_CONNECT_FAILED',
  PUBLISH_FAILED: 'TRANSPORT_PUBLISH_FAILED',
  /** The broker did not answer (disconnected, timed out, no JetStream): the same publish may succeed later. */
  UNAVAILABLE: 'TRANSPORT_UNAVAILABLE',
  INVALID_MESSAGE: 'TRANSPORT_INVALID_MESSAGE',
  CLOSED: 'TRANSPORT_CLOSED'
} as const
export type TransportErrorCode = typeof TransportErrorCode[keyof typeof TransportErrorCode]

export class TransportError extends Error {
  override name = 'TransportError'
  constructor (readonly code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

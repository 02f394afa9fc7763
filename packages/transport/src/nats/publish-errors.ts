import { JetStreamApiError } from '@nats-io/jetstream'
import { ConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'
import { TransportError, TransportErrorCode } from '../errors.js'

// nats.js reports "no responders" to a publish (no stream bound yet, JetStream starting after a
// restart) as JetStreamNotEnabled, with the RequestError as its cause: the chain is searched.
function unanswered (error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false
  if (error instanceof TimeoutError || error instanceof NoRespondersError || error instanceof RequestError ||
    error instanceof ConnectionError || error.name === 'JetStreamNotEnabled') return true
  if (error instanceof JetStreamApiError) return error.status === 503
  return unanswered(error.cause, depth + 1)
}

// JetStream's "message size exceeds maximum allowed" (the stream's max_msg_size).
const JS_MESSAGE_TOO_LARGE = 10054

/** Over the connection's max_payload (refused before sending) or the stream's message size limit. */
function refused (error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === JS_MESSAGE_TOO_LARGE
  return error instanceof Error && error.name === 'InvalidArgumentError' && error.message.includes('max_payload')
}

/**
 * A failed publish as the caller must treat it: UNAVAILABLE when nobody answered (disconnected,
 * timed out, no JetStream, JetStream itself unavailable), so the same publish may succeed later
 * and should be retried with the same message id; PUBLISH_REFUSED when the server will never take
 * this message (too large); PUBLISH_FAILED otherwise (e.g. the connection was closed on purpose).
 */
export function publishError (subject: string, cause: unknown): TransportError {
  if (refused(cause)) return new TransportError(TransportErrorCode.PUBLISH_REFUSED, `publish to ${subject} refused`, { cause })
  return unanswered(cause)
    ? new TransportError(TransportErrorCode.UNAVAILABLE, `publish to ${subject} got no answer`, { cause })
    : new TransportError(TransportErrorCode.PUBLISH_FAILED, `publish to ${subject} failed`, { cause })
}

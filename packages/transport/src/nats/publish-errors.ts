import { JetStreamApiError } from '@nats-io/jetstream'
import { ConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'
import { TransportError, TransportErrorCode } from '../errors.js'

/**
 * A failed publish as the caller must treat it: UNAVAILABLE when nobody answered (disconnected,
 * timed out, no JetStream, JetStream itself unavailable), so the same publish may succeed later
 * and should be retried with the same message id; PUBLISH_FAILED when the server refused it or
 * the connection was closed on purpose, which retrying cannot change.
 */
export function publishError (subject: string, cause: unknown): TransportError {
  const unavailable = cause instanceof TimeoutError || cause instanceof NoRespondersError ||
    cause instanceof RequestError || cause instanceof ConnectionError ||
    (cause instanceof JetStreamApiError && cause.status === 503)
  return unavailable
    ? new TransportError(TransportErrorCode.UNAVAILABLE, `publish to ${subject} got no answer`, { cause })
    : new TransportError(TransportErrorCode.PUBLISH_FAILED, `publish to ${subject} failed`, { cause })
}

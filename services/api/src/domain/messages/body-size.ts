import { badRequest } from '../../errors.js'

/**
 * The most a notification's body (title, text, extras and any field a client adds) may take as
 * JSON. Neither APNs nor FCM takes a payload over 4096 bytes, so a larger body can never be sent;
 * with no bound but the request's (BODY_LIMIT_BYTES, 5 MiB) one passed NATS's message limit
 * (1 MiB) after the batch's earlier messages had gone, and a campaign's was copied into the row
 * of each of its chunks.
 */
export const MAX_MESSAGE_BODY_BYTES = 16 * 1024

/** A 400 naming `path` when `body` takes more than MAX_MESSAGE_BODY_BYTES as JSON. */
export function checkBodySize (body: unknown, path: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(body))
  if (bytes > MAX_MESSAGE_BODY_BYTES) {
    throw badRequest(`${path} takes ${bytes} bytes as JSON, more than ${MAX_MESSAGE_BODY_BYTES}: no provider takes a notification over 4096`)
  }
}

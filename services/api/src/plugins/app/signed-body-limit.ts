import { Transform, type Readable } from 'node:stream'
import { errorCodes } from 'fastify'

/**
 * `payload` as a stream that fails with Fastify's own 413 (FST_ERR_CTP_BODY_TOO_LARGE) once more
 * than `limit` bytes came, for a preParsing hook: a body sent chunked declares no length, so only
 * counting what arrives holds it to a limit.
 */
export function limitedPayload (payload: Readable, limit: number): Readable {
  let received = 0
  const limited = new Transform({
    transform (chunk: Buffer, _encoding, done) {
      received += chunk.length
      if (received > limit) done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())
      else done(null, chunk)
    }
  })
  payload.on('error', (error) => { limited.destroy(error) })
  return payload.pipe(limited)
}

import { SigningError, verifyRequestBody, type VerifiedHead } from '@beacon/signing'
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify'
import { Transform, type Readable } from 'node:stream'
import type { LookupMiss, SignedDeveloper } from '../../domain/developer-api/developer-lookup.js'
import { jsonBodyText } from '../../json-body.js'

// The signed API's bodies: kept as received (the signature covers their bytes), parsed only once
// the signature holds over them, and held to the signed limit on every path of the prefix.

/** The methods whose body Fastify never reads (its own list of bodyless methods). */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE'])

/** A refusal and its reason, for the log. */
export interface Refusal { code: string, message: string, miss?: LookupMiss | undefined }

/** What onRequest found (a developer's head, or an unknown key's decoy), for preValidation to finish once the body is read. */
export const HEAD = Symbol('signed head')
export type SignedHead = (
  | { developer: SignedDeveloper, unknownKey?: undefined }
  /** An unknown key without Content-MD5, checked against a secret no one has (onRequest says why), refused once its body is read. */
  | { developer?: undefined, unknownKey: Refusal }
) & {
  verified: VerifiedHead
  /**
   * The signature holds over the body: proven by the JSON parser (preValidation need not hash it
   * again) or by preValidation. Until then an error says nothing but 401 (the error handler).
   */
  bodySigned?: true
}
export type WithHead = FastifyRequest & { [HEAD]?: SignedHead }

/** Whether the body is the one the request's signature covers (a head with a Content-MD5 already proved the signature); noted on the head. */
function bodySigned (head: SignedHead | undefined, raw: Buffer): boolean {
  if (head === undefined) return false
  try {
    verifyRequestBody(head.verified, raw)
    head.bodySigned = true
    return true
  } catch (error) {
    if (error instanceof SigningError) return false
    throw error
  }
}

/** Keeps the body bytes: the signature covers their MD5, never a re-serialisation of the parsed body. */
export function keepRawBodies (app: FastifyInstance, bodyLimit: number) {
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer
    request.rawBody = raw
    if (raw.length === 0) return done(null, undefined)
    // Nothing is said of a body before its signature holds: a 400 for its content would tell a
    // caller without the secret that the key exists (only Content-MD5 makes the head prove the
    // signature). Not parsed, it is refused as unsigned (401) by preValidation.
    if (!bodySigned((request as WithHead)[HEAD], raw)) return done(null, undefined)
    const read = jsonBodyText(raw)
    if ('refusal' in read) return done(Object.assign(new Error(read.refusal), { statusCode: 400 }), undefined)
    return json(request, read.text, done)
  })
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    request.rawBody = body as Buffer
    done(null, body)
  })
}

/**
 * `payload` as a stream that fails with Fastify's own 413 (FST_ERR_CTP_BODY_TOO_LARGE) once more
 * than `limit` bytes came, for a preParsing hook: a body sent chunked declares no length, so only
 * counting what arrives holds it to a limit.
 */
function limitedPayload (payload: Readable, limit: number): Readable {
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

/**
 * Fastify holds a route's body to its parser's limit but the not-found handler's to the server's
 * (BODY_LIMIT_BYTES): under the prefix a 404's is held to the signed API's limit too. Not for the
 * methods whose body Fastify never reads: a wrapped one would stall its connection.
 */
export function holdNotFoundBodies (app: FastifyInstance, limit: number): void {
  app.addHook('preParsing', async (request: FastifyRequest, _reply, payload) =>
    (request.is404 && !BODYLESS.has(request.method) ? limitedPayload(payload, limit) : payload))
}

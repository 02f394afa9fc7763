import {
  SIGNED_API_AUTH_SCHEME, SIGNED_API_UNAUTHORIZED_MESSAGE, SignedApiErrorCode
} from '@beacon/contracts'
import {
  SigningError, SigningErrorCode, parseAuthorization, singleHeader, verifyRequestBody, verifyRequestHead, type RequestHeaders
} from '@beacon/signing'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { randomBytes } from 'node:crypto'
import { BODY_TOO_LARGE_MESSAGE, sendSignedApiError, sendTooManyRequests, signedApiErrorHandler } from '../../domain/developer-api/errors.js'
import { findSigningDeveloper, type LookupMiss, type SignedDeveloper } from '../../domain/developer-api/developer-lookup.js'
import { claimNonce } from '../../domain/developer-api/nonce-store.js'
import { purgeExpiredNoncesNowAndThen } from './nonce-purge.js'
import { markRoutes } from './access/route-auth.js'
import { HEAD, holdNotFoundBodies, keepRawBodies, type Refusal, type WithHead } from './signed-bodies.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Signed developer API only: who signed the request. Set before validation; absent elsewhere. */
    developer: SignedDeveloper
    /** Signed developer API only: the body bytes as received (what the signature covers), or null. */
    rawBody: Buffer | null
  }
}

export interface SignedRequestsOptions {
  /** How far X-M-Date may be from the server clock, either way. */
  windowSeconds: number
  /** Largest body of a signed request (read only once its head passed: see onRequest). */
  bodyLimitBytes: number
  /** Wrong signatures allowed per client address and window before it is refused outright. */
  failures: { max: number, windowMs: number }
  /** Verified requests per developer key and minute. */
  requestsPerMinute: number
}

/** The key a refused request claimed, for the log; undefined when the header does not even parse. */
function claimedKey (headers: RequestHeaders): string | undefined {
  try {
    return parseAuthorization(singleHeader(headers, 'authorization')).key
  } catch {
    return undefined
  }
}

// Signatures that do not match and replays are what an attacker produces: worth a warning.
const SUSPICIOUS = new Set(['SIGNING_SIGNATURE_MISMATCH', 'SIGNED_API_NONCE_REPLAYED'])

// Node merges or drops repeated headers; headersDistinct keeps every copy so that a repeated
// signing header is refused instead of silently picking one (inject has no headersDistinct).
const headersOf = (request: FastifyRequest): RequestHeaders => request.raw.headersDistinct ?? request.headers

/**
 * MAAIISDK10 verification for every request of the context it is registered in (fastify-plugin,
 * so it covers the routes of that context: the whole signed developer API). The head (the
 * Authorization header, X-M-Date, the key, and the signature itself when a Content-MD5 header is
 * sent) is checked on arrival, before the body is read; the body, the nonce and the per-key limit
 * once it is. An unknown key without Content-MD5 is refused once its body is read, as a known
 * key's unproven head must be.
 */
export default fp<SignedRequestsOptions>(async (app, options) => {
  const { windowSeconds } = options
  markRoutes(app, 'signed')
  app.decorateRequest('developer', null, [])
  app.decorateRequest('rawBody', null, [])
  keepRawBodies(app, options.bodyLimitBytes)
  const failures = app.createLimit({ max: options.failures.max, windowMs: options.failures.windowMs })
  const perKey = app.createLimit({ max: options.requestsPerMinute, windowMs: 60_000, keyOf: (request) => request.developer.key })

  /** One answer for every reason, so that a failure tells nothing; the reason goes to the log only. */
  async function refuse (request: FastifyRequest, reply: FastifyReply, reason: Refusal) {
    const entry = { developerKey: claimedKey(headersOf(request)), reason: reason.code, detail: reason.message, remoteAddress: request.ip, ...(reason.miss === undefined ? {} : { keyStatus: reason.miss }) }
    if (SUSPICIOUS.has(reason.code)) request.log.warn(entry, 'signed request refused')
    else request.log.info(entry, 'signed request refused')
    // A request that is not signed at all guesses nothing; every other refusal counts.
    if (reason.code !== SigningErrorCode.AUTH_HEADER_MISSING) await failures.hit(request)
    // Every refusal closes the connection: a body refused in the head is not read, and one over
    // the limit not whole, so Node closes after those; the others must not differ from them
    // (a header telling the steps apart told a known key from an unknown one).
    reply.header('connection', 'close')
    return await sendSignedApiError(reply.header('WWW-Authenticate', SIGNED_API_AUTH_SCHEME), 401, SignedApiErrorCode.UNAUTHORIZED, SIGNED_API_UNAUTHORIZED_MESSAGE)
  }

  app.addHook('onRequest', async (request, reply) => {
    const wait = await failures.peek(request)
    if (wait > 0) {
      request.log.warn({ developerKey: claimedKey(headersOf(request)), remoteAddress: request.ip }, 'signed request refused: too many failures from this address')
      return await sendTooManyRequests(reply, wait, `too many unauthorized requests from this address; retry in ${wait} s`)
    }
    // A body declared larger than the limit is refused before the key is looked up: refused by the
    // body reader after it, a known key's 413 beside an unknown key's 401 told a caller without
    // the secret which keys exist.
    if (Number(request.headers['content-length']) > options.bodyLimitBytes) {
      return await sendSignedApiError(reply, 413, SignedApiErrorCode.PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_MESSAGE)
    }
    let miss: LookupMiss | undefined
    let developer: SignedDeveloper | undefined
    const headers = headersOf(request)
    try {
      const verified = await verifyRequestHead({ method: request.raw.method ?? '', uri: request.raw.url ?? '', headers }, async (key) => {
        const found = await findSigningDeveloper(app.db, app.secrets, key, request.log)
        if (typeof found !== 'string') {
          developer = found.developer
          return found.secret
        }
        miss = found
        // Without Content-MD5 a known key's head proves nothing: its request is judged on its body.
        // An unknown key's is judged the same way, against a secret no one has, so that neither
        // the wait for the body nor the work on it tells the two apart (answered from the head at
        // once, it told a caller who withheld the body which keys exist). A known key, no secret,
        // has its body read anyway. With Content-MD5 both are refused here.
        return singleHeader(headers, 'content-md5') === undefined ? randomBytes(32) : undefined
      }, { windowSeconds })
      ;(request as WithHead)[HEAD] = developer === undefined
        ? { verified, unknownKey: { code: SigningErrorCode.KEY_UNKNOWN, message: 'the developer key is unknown', miss } }
        : { verified, developer }
    } catch (error) {
      if (!(error instanceof SigningError)) throw error
      return await refuse(request, reply, { code: error.code, message: error.message, miss })
    }
  })

  holdNotFoundBodies(app, options.bodyLimitBytes)

  app.addHook('preValidation', async (request, reply) => {
    const head = (request as WithHead)[HEAD]
    if (head === undefined) throw new Error('a signed route without a verified head')
    try {
      if (head.bodySigned !== true) verifyRequestBody(head.verified, request.rawBody ?? undefined)
      head.bodySigned = true
    } catch (error) {
      if (!(error instanceof SigningError)) throw error
      return await refuse(request, reply, head.unknownKey ?? { code: error.code, message: error.message })
    }
    // Its random secret held (one chance in 2^256): still no developer.
    if (head.unknownKey !== undefined) return await refuse(request, reply, head.unknownKey)
    request.developer = head.developer
    const overRate = async (wait: number) => {
      request.log.warn({ developerKey: head.developer.key }, 'signed request refused: the developer is over its request rate')
      return await sendTooManyRequests(reply, wait, `more than ${options.requestsPerMinute} requests in a minute with this developer key; retry in ${wait} s`)
    }
    // Looked at before the nonce is claimed: a developer over its rate costs the database no
    // insert per request (each was claimed before, at any rate); counted after, so that only a
    // verified request with a fresh nonce uses up the key's minute.
    const waiting = await perKey.peek(request)
    if (waiting > 0) return await overRate(waiting)
    const now = new Date()
    // Only a verified request may use up a nonce, else anyone could burn a developer's nonces.
    // +1 s: the window check truncates the clock to whole seconds.
    const expiresAt = new Date(head.verified.date.getTime() + (windowSeconds + 1) * 1000)
    if (!await claimNonce(app.db, head.verified.key, head.verified.nonce, expiresAt, now)) {
      return await refuse(request, reply, { code: 'SIGNED_API_NONCE_REPLAYED', message: 'the nonce was already used within the window' })
    }
    const wait = await perKey.hit(request)
    if (wait > 0) return await overRate(wait)
  })

  const answerError = signedApiErrorHandler('signed API request failed')
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // Fastify's refusals of a request it could not read (a chunked body over the limit, a
    // malformed Content-Type, QUERY without one) come between the head and the body's check: for
    // a known key without Content-MD5 the head proved no signature, and any answer but the 401
    // an unknown key's decoy head gets here too would tell a caller without the secret that the key exists.
    const head = (request as WithHead)[HEAD]
    if (head !== undefined && head.bodySigned !== true && head.verified.signedContentMd5 === undefined) {
      return await refuse(request, reply, head.unknownKey ?? { code: 'SIGNED_API_BODY_UNVERIFIED', message: `the request could not be read (${error.code ?? error.message}) and its head proved no signature` })
    }
    return answerError(error, request, reply)
  })
  app.setNotFoundHandler((request, reply) => sendSignedApiError(reply, 404, SignedApiErrorCode.NOT_FOUND,
    `no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`))

  purgeExpiredNoncesNowAndThen(app, windowSeconds)
}, { name: 'signed-requests', dependencies: ['db', 'rate-limit'] })

import {
  SIGNED_API_AUTH_SCHEME, SIGNED_API_UNAUTHORIZED_MESSAGE, SignedApiErrorCode
} from '@beacon/contracts'
import {
  SigningError, parseAuthorization, singleHeader, verifyRequest, type RequestHeaders
} from '@beacon/signing'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { describeSignedApiError, sendSignedApiError } from '../../domain/developer-api-errors.js'
import { findSigningDeveloper, type LookupMiss, type SignedDeveloper, type SigningCandidate } from '../../domain/developer-lookup.js'
import { claimNonce, purgeExpiredNonces } from '../../domain/nonce-store.js'

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
}

// Nonces are purged this long after they expired: an instance whose clock is behind the purging
// one's must still find them while it could accept the replay.
const PURGE_GRACE_MS = 60_000

/** Keeps the body bytes: the signature covers their MD5, never a re-serialisation of the parsed body. */
function keepRawBodies (app: FastifyInstance) {
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer
    request.rawBody = raw
    if (raw.length === 0) return done(null, undefined)
    const text = raw.toString('utf8')
    // PostgreSQL text cannot hold NUL: refuse it here, with a 400, rather than fail in storage.
    if (text.includes('\\u0000')) {
      return done(Object.assign(new Error('the request body contains a NUL character (\\u0000), which is not accepted'), { statusCode: 400 }), undefined)
    }
    return json(request, text, done)
  })
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer
    done(null, body)
  })
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

/** One answer for every reason, so that a failure tells nothing; the reason goes to the log only. */
function refuse (request: FastifyRequest, reply: FastifyReply, headers: RequestHeaders, reason: { code: string, message: string, miss?: LookupMiss | undefined }) {
  const entry = { developerKey: claimedKey(headers), reason: reason.code, detail: reason.message, ...(reason.miss === undefined ? {} : { keyStatus: reason.miss }) }
  if (SUSPICIOUS.has(reason.code)) request.log.warn(entry, 'signed request refused')
  else request.log.info(entry, 'signed request refused')
  return sendSignedApiError(reply.header('WWW-Authenticate', SIGNED_API_AUTH_SCHEME), 401, SignedApiErrorCode.UNAUTHORIZED, SIGNED_API_UNAUTHORIZED_MESSAGE)
}

/** Deletes expired nonces now and then, so the table holds about one window of requests. */
function purgeNonces (app: FastifyInstance, windowSeconds: number) {
  let running: Promise<void> | undefined
  const everyMs = Math.min(Math.max(windowSeconds, 1), 60) * 1000
  const timer = setInterval(() => {
    running ??= purgeExpiredNonces(app.db, new Date(Date.now() - PURGE_GRACE_MS))
      .then((count) => { if (count > 0) app.log.debug({ count }, 'expired nonces purged') })
      .catch((err: unknown) => { app.log.warn({ err }, 'purging expired nonces failed; the next run retries') })
      .finally(() => { running = undefined })
  }, everyMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}

/**
 * MAAIISDK10 verification for every request of the context it is registered in (fastify-plugin,
 * so it covers the routes of that context: the whole signed developer API).
 */
export default fp<SignedRequestsOptions>(async (app, { windowSeconds }) => {
  app.decorateRequest('developer', null, [])
  app.decorateRequest('rawBody', null, [])
  keepRawBodies(app)

  app.addHook('preValidation', async (request, reply) => {
    const now = new Date()
    // Node merges or drops repeated headers; headersDistinct keeps every copy so that a repeated
    // signing header is refused instead of silently picking one (inject has no headersDistinct).
    const headers: RequestHeaders = request.raw.headersDistinct ?? request.headers
    // Filled by the secret lookup inside verifyRequest.
    const found: { candidate?: SigningCandidate | LookupMiss } = {}
    try {
      const verified = await verifyRequest({
        method: request.raw.method ?? '',
        uri: request.raw.url ?? '',
        headers,
        rawBody: request.rawBody ?? undefined
      }, async (key) => {
        found.candidate = await findSigningDeveloper(app.db, app.secrets, key, request.log)
        return typeof found.candidate === 'string' ? undefined : found.candidate.secret
      }, { now, windowSeconds })
      const { candidate } = found
      if (candidate === undefined || typeof candidate === 'string') throw new Error('verified without a developer')
      // Only a verified request may use up a nonce, else anyone could burn a developer's nonces.
      // +1 s: the window check truncates the clock to whole seconds.
      const expiresAt = new Date(verified.date.getTime() + (windowSeconds + 1) * 1000)
      if (!await claimNonce(app.db, verified.key, verified.nonce, expiresAt, now)) {
        return refuse(request, reply, headers, { code: 'SIGNED_API_NONCE_REPLAYED', message: 'the nonce was already used within the window' })
      }
      request.developer = candidate.developer
    } catch (error) {
      if (!(error instanceof SigningError)) throw error
      return refuse(request, reply, headers, { code: error.code, message: error.message, miss: typeof found.candidate === 'string' ? found.candidate : undefined })
    }
  })

  app.setErrorHandler((error, request, reply) => {
    const failure = describeSignedApiError(error as FastifyError)
    if (failure.status >= 500) request.log.error({ err: error }, 'signed API request failed')
    return sendSignedApiError(reply, failure.status, failure.code, failure.message)
  })
  app.setNotFoundHandler((request, reply) => sendSignedApiError(reply, 404, SignedApiErrorCode.NOT_FOUND,
    `no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`))

  purgeNonces(app, windowSeconds)
}, { name: 'signed-requests', dependencies: ['db'] })

import { backoffDelay, type Backoff } from '@beacon/backoff'
import type { CallbackBody } from '@beacon/contracts'
import { DestinationForbiddenError } from '@beacon/outbound'
import { signRequest } from '@beacon/signing'
import { fetch, type Dispatcher } from 'undici'
import type { CallbackPolicy } from '../../config.js'

export interface CallbackTarget {
  callbackUrl: string
  key: string
  secret: Buffer
}

/** How callbacks leave: the guarded connection pool, and what the URL itself may be. */
export interface CallbackTransport {
  /** An undici dispatcher whose connections pass the destination guard (@beacon/outbound). */
  dispatcher: Dispatcher
  policy: CallbackPolicy
}

/**
 * What one attempt came to: the developer's HTTP status, or why there was none (a stable code:
 * ECONNREFUSED, TimeoutError, DestinationForbidden, InsecureCallbackUrl, …). A refused destination
 * says which host and address, for the log.
 */
export type AttemptOutcome =
  | { ok: boolean, status: number }
  | { ok: false, error: string, refused?: { host: string, address: string, range: string } }

/**
 * POSTs one callback, signed MAAIISDK10 with the developer's key and secret: a fresh nonce and
 * X-M-Date per attempt, Content-MD5 of the exact bytes sent, and the URI as fetch sends it (the
 * path and query of the parsed URL). Redirects are not followed: the signature names one URI, and
 * a redirect could lead where the guard was not asked. The URL is checked again here (a URL
 * stored before the rules, or a setting changed since), and every connection passes the guard.
 */
export async function postCallback (
  target: CallbackTarget, body: CallbackBody, signal: AbortSignal, transport: CallbackTransport
): Promise<AttemptOutcome> {
  let url: URL
  try {
    url = new URL(target.callbackUrl)
  } catch {
    return { ok: false, error: 'InvalidCallbackUrl' }
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && transport.policy.allowHttp)) {
    return { ok: false, error: 'InsecureCallbackUrl' }
  }
  const payload = JSON.stringify(body)
  const headers = signRequest({
    method: 'POST',
    uri: url.pathname + url.search,
    body: payload,
    contentType: 'application/json',
    key: target.key,
    secret: target.secret
  })
  try {
    const response = await fetch(url, {
      method: 'POST', headers: { ...headers }, body: payload, redirect: 'manual', signal, dispatcher: transport.dispatcher
    })
    // The answer's body means nothing to us; releasing it returns the connection to the pool.
    await response.body?.cancel().catch(() => {})
    return { ok: response.status >= 200 && response.status < 300, status: response.status }
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause
    if (cause instanceof DestinationForbiddenError) {
      return { ok: false, error: cause.code, refused: { host: cause.host, address: cause.address, range: cause.range } }
    }
    return { ok: false, error: errorName(error) }
  }
}

/** A short, secret-free name for a failed attempt: ECONNREFUSED, TimeoutError, … */
function errorName (error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  if (typeof cause?.code === 'string') return cause.code
  if (error instanceof Error) return error.name
  return 'Error'
}

/**
 * A callback's backoff: base·2^(attempt−1), capped at max, less up to 20 % jitter so that
 * callbacks failed together do not all come back together (and each delay still exceeds the
 * previous one until the cap).
 */
export function callbackBackoff (baseMs: number, maxMs: number): Backoff {
  return { baseMs, maxMs, jitter: 0.2 }
}

/** The delay before attempt `attempt + 1`, to the millisecond. `random` is the jitter's source, in [0, 1). */
export function retryDelay (attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.round(backoffDelay(callbackBackoff(baseMs, maxMs), attempt, random))
}

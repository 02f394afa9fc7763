import type { CallbackBody } from '@beacon/contracts'
import { signRequest } from '@beacon/signing'

export interface CallbackTarget {
  callbackUrl: string
  key: string
  secret: Buffer
}

/** What one attempt came to: the developer's HTTP status, or why there was none. */
export type AttemptOutcome = { ok: boolean, status: number } | { ok: false, error: string }

/**
 * POSTs one callback, signed MAAIISDK10 with the developer's key and secret: a fresh nonce and
 * X-M-Date per attempt, Content-MD5 of the exact bytes sent, and the URI as fetch sends it (the
 * path and query of the parsed URL). Redirects are not followed: the signature names one URI.
 * Node's global fetch keeps one keep-alive connection pool for all of them.
 */
export async function postCallback (target: CallbackTarget, body: CallbackBody, signal: AbortSignal): Promise<AttemptOutcome> {
  let url: URL
  try {
    url = new URL(target.callbackUrl)
  } catch {
    return { ok: false, error: 'InvalidCallbackUrl' }
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
    const response = await fetch(url, { method: 'POST', headers: { ...headers }, body: payload, redirect: 'manual', signal })
    // The answer's body means nothing to us; releasing it returns the connection to the pool.
    await response.body?.cancel().catch(() => {})
    return { ok: response.status >= 200 && response.status < 300, status: response.status }
  } catch (error) {
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
 * The delay before attempt `attempt + 1`: base·2^(attempt−1), capped at max, less up to 20 %
 * jitter so that callbacks failed together do not all come back together (and each delay still
 * exceeds the previous one until the cap).
 */
export function retryDelay (attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), maxMs)
  return Math.round(exponential * (1 - 0.2 * Math.random()))
}

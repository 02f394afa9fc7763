import type { Provider } from '@parse/node-apn'

/** Where the Retry-After of a failed request is put on node-apn's failure object. */
export const RETRY_AFTER_SECONDS = 'beaconRetryAfterSeconds'

interface Http2SessionLike { request (headers: unknown): NodeJS.EventEmitter }
type RequestFn = (session: Http2SessionLike, ...rest: unknown[]) => Promise<unknown>

/** The call of `client.request` in whose synchronous part a session's request is being made. */
interface Call { retryAfter?: string }
let current: Call | undefined

/** Sessions whose `request` already notes the answer's Retry-After for the current call. */
const watchedSessions = new WeakSet<Http2SessionLike>()

function watch (session: Http2SessionLike): void {
  const request = session.request
  session.request = function (this: Http2SessionLike, headers: unknown) {
    const stream = request.call(this, headers)
    const call = current
    if (call !== undefined) {
      stream.once('response', (responseHeaders: Record<string, string | undefined>) => {
        call.retryAfter = responseHeaders['retry-after']
      })
    }
    return stream
  }
  watchedSessions.add(session)
}

/**
 * node-apn 8.1 looks up `Retry-After` with capitals (HTTP/2 header names are lower case, so it
 * never finds it) and deletes what it has before reporting a failure. To honour the provider's
 * request we watch each response's headers ourselves and attach the value to the failure under a
 * name node-apn does not touch. This wraps node-apn's internal `client.request`, which opens its
 * stream (`session.request`) before its first await: the session's own `request`, wrapped once
 * per session, hands the stream's answer to the call running at that moment. (A proxy of the
 * session per call did the same with a few allocations per notification.) The APNs sender tests
 * (against the mock, which sends Retry-After) fail if a node-apn upgrade moves any of this.
 */
export function captureRetryAfter (provider: Provider): void {
  const client = (provider as unknown as { client: { request: RequestFn } }).client
  const request = client.request.bind(client)
  client.request = async (session, ...rest) => {
    if (!watchedSessions.has(session)) watch(session)
    const call: Call = {}
    current = call
    let answer: Promise<unknown>
    try {
      answer = request(session, ...rest)
    } finally {
      current = undefined
    }
    try {
      return await answer
    } catch (failure) {
      const seconds = Number(call.retryAfter)
      if (typeof failure === 'object' && failure !== null && Number.isFinite(seconds) && seconds >= 0) {
        (failure as Record<string, unknown>)[RETRY_AFTER_SECONDS] = seconds
      }
      throw failure
    }
  }
}

import type { Provider } from '@parse/node-apn'

/** Where the Retry-After of a failed request is put on node-apn's failure object. */
export const RETRY_AFTER_SECONDS = 'beaconRetryAfterSeconds'

interface Http2SessionLike { request (headers: unknown): NodeJS.EventEmitter }
type RequestFn = (session: Http2SessionLike, ...rest: unknown[]) => Promise<unknown>

/**
 * node-apn 8.1 looks up `Retry-After` with capitals (HTTP/2 header names are lower case, so it
 * never finds it) and deletes what it has before reporting a failure. To honour the provider's
 * request we watch each response's headers ourselves and attach the value to the failure under a
 * name node-apn does not touch. This wraps node-apn's internal `client.request`; the APNs sender
 * tests (against the mock, which sends Retry-After) fail if a node-apn upgrade moves it.
 */
export function captureRetryAfter (provider: Provider): void {
  const client = (provider as unknown as { client: { request: RequestFn } }).client
  const request = client.request.bind(client)
  client.request = async (session, ...rest) => {
    let retryAfter: string | undefined
    const watched = new Proxy(session, {
      get (target, property, receiver) {
        if (property !== 'request') {
          const value: unknown = Reflect.get(target, property, target)
          return typeof value === 'function' ? value.bind(target) : value
        }
        return (headers: unknown) => {
          const stream = target.request(headers)
          stream.once('response', (responseHeaders: Record<string, string | undefined>) => {
            retryAfter = responseHeaders['retry-after']
          })
          return stream
        }
      }
    }) as Http2SessionLike & { receiver?: unknown }
    try {
      return await request(watched, ...rest)
    } catch (failure) {
      const seconds = Number(retryAfter)
      if (typeof failure === 'object' && failure !== null && Number.isFinite(seconds) && seconds >= 0) {
        (failure as Record<string, unknown>)[RETRY_AFTER_SECONDS] = seconds
      }
      throw failure
    }
  }
}

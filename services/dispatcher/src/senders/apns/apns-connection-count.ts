import type { EventEmitter } from 'node:events'
import type { Provider } from '@parse/node-apn'
import { countConnection } from '../../metrics/provider-connections.js'

type Session = EventEmitter & { destroyed: boolean }
type RequestFn = (session: Session, ...rest: unknown[]) => Promise<unknown>

/**
 * node-apn opens its HTTP/2 session out of sight (after an optional proxy's socket): each one is
 * counted at its first request, which node-apn makes right after connecting. This wraps the same
 * private `client.request` as retry-after.ts (whose tests fail if an upgrade moves it).
 */
export function countApnsConnections (provider: Provider): void {
  const client = (provider as unknown as { client: { request: RequestFn } }).client
  const request = client.request.bind(client)
  const seen = new WeakSet<Session>()
  client.request = (session, ...rest) => {
    if (!seen.has(session)) {
      seen.add(session)
      countConnection('apns', session)
    }
    return request(session, ...rest)
  }
}

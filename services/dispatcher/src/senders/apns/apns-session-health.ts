import type { ClientHttp2Session } from 'node:http2'
import type { Provider } from '@parse/node-apn'

export interface SessionHealthOptions {
  /** A ping not acknowledged within this long condemns the session. */
  pingTimeoutMs: number
  /** How often the session is pinged while nothing else prompts a check (default 60 s, as node-apn's own heartbeat). */
  pingIntervalMs?: number
}

const IDLE_PING_INTERVAL_MS = 60_000

export interface SessionHealth {
  /** Pings the provider's current session; one not acknowledged in time is destroyed. Resolves once decided. */
  check (): Promise<void>
  stop (): void
}

interface ClientLike { session?: ClientHttp2Session | null, connect: unknown, write: unknown }

/** Thrown when node-apn's client is not shaped as this file expects (an upgrade moved it). */
export class NodeApnInternalsChanged extends Error {
  override name = 'NodeApnInternalsChanged'
}

/**
 * node-apn 8.1 pings its HTTP/2 session every `heartBeat`, but a ping that is never acknowledged
 * only goes unlogged: a session to a server that accepted the connection and went silent (a
 * network black hole, a stuck front end) stays the session, every request on it times out, and
 * node-apn opens a new one only once the old one is closed or destroyed. Node's ping has no
 * timeout of its own, so the check is ours: ping, and destroy the session when no acknowledgement
 * comes within `pingTimeoutMs` (or, still connecting, when it has not connected by then). node-apn
 * then connects afresh on the next request.
 *
 * This reads node-apn's private `provider.client.session` (as retry-after.ts wraps
 * `client.request`); createApnsSessionHealth throws if the client is not there, and the APNs
 * sender tests (a frozen mock connection must be replaced) fail if an upgrade changes it.
 */
export function createApnsSessionHealth (provider: Provider, options: SessionHealthOptions): SessionHealth {
  const client = (provider as unknown as { client?: ClientLike }).client
  if (typeof client?.connect !== 'function' || typeof client.write !== 'function') {
    throw new NodeApnInternalsChanged("node-apn's Provider has no client with connect() and write(): see apns-session-health.ts")
  }
  let checking: Promise<void> | undefined
  const check = () => {
    checking ??= pingOrDestroy(client.session, options.pingTimeoutMs).finally(() => { checking = undefined })
    return checking
  }
  const timer = setInterval(() => { check().catch(() => {}) }, options.pingIntervalMs ?? IDLE_PING_INTERVAL_MS).unref()
  return { check, stop: () => clearInterval(timer) }
}

function pingOrDestroy (session: ClientHttp2Session | null | undefined, timeoutMs: number): Promise<void> {
  if (session === null || session === undefined || session.closed || session.destroyed) return Promise.resolve()
  return new Promise<void>((resolve) => {
    // Destroyed with an error, so the requests still waiting on it fail (and are retried by us)
    // instead of waiting for an answer that cannot come.
    const condemn = (what: string) => {
      if (!session.destroyed) session.destroy(Object.assign(new Error(`APNs session did not ${what} within ${timeoutMs} ms`), { code: 'EPINGTIMEOUT' }))
      resolve()
    }
    // Still connecting (Node cancels a ping sent before the handshake ends): it must finish the
    // handshake in that time instead. A server that accepts and never speaks would hold it forever.
    if (session.connecting) {
      const timer = setTimeout(() => condemn('connect'), timeoutMs)
      session.once('connect', () => { clearTimeout(timer); resolve() })
      session.once('close', () => { clearTimeout(timer); resolve() })
      return
    }
    const timer = setTimeout(() => condemn('answer a ping'), timeoutMs)
    const sent = session.ping(() => {
      // Acknowledged, or cancelled because the session closed meanwhile: either way it is decided.
      clearTimeout(timer)
      resolve()
    })
    // false: too many pings already unacknowledged, the same verdict without waiting.
    if (sent === false) {
      clearTimeout(timer)
      condemn('answer a ping')
    }
  })
}

import apn from '@parse/node-apn'
import type { ApnsCredentials } from '../../credentials.js'
import { createApnsSessionHealth, type SessionHealth } from './apns-session-health.js'
import { captureRetryAfter } from './retry-after.js'
import { countApnsConnections } from './apns-connection-count.js'

export interface ApnsEndpoint {
  /** APNS_ENDPOINT: another host than Apple's (the test mock); null: Apple's, by environment. */
  url: URL | null
  ca: Buffer | null
  requestTimeoutMs: number
  /** How often an idle session is pinged (default 60 s, node-apn's own heartbeat); unanswered within requestTimeoutMs, it is replaced. */
  pingIntervalMs?: number
  /** How long a ping may go unacknowledged before its session is replaced (default requestTimeoutMs). */
  pingTimeoutMs?: number
}

/** A provider with the health check of its HTTP/2 session. */
export interface ApnsConnection { provider: apn.Provider, health: SessionHealth }

/**
 * One long-lived HTTP/2 provider per (application, environment), reused across commands. A
 * credentials change (a new version) replaces the application's providers and shuts the old ones.
 */
export function createApnsProviderPool (endpoint: ApnsEndpoint) {
  const providers = new Map<string, { version: number } & ApnsConnection>()

  function create (credentials: ApnsCredentials, production: boolean): ApnsConnection {
    const provider = new apn.Provider({
      token: { key: credentials.privateKeyPem, keyId: credentials.keyId, teamId: credentials.teamId },
      production,
      // Retries are ours: node-apn's retry ignores Retry-After and does not back off.
      connectionRetryLimit: 0,
      requestTimeout: endpoint.requestTimeoutMs,
      ...(endpoint.url === null ? {} : { address: endpoint.url.hostname, port: Number(endpoint.url.port || 443) }),
      ...(endpoint.ca === null ? {} : { ca: [endpoint.ca] })
    })
    captureRetryAfter(provider)
    countApnsConnections(provider)
    const health = createApnsSessionHealth(provider, { pingTimeoutMs: endpoint.pingTimeoutMs ?? endpoint.requestTimeoutMs, pingIntervalMs: endpoint.pingIntervalMs })
    return { provider, health }
  }

  return {
    get (applicationId: number, version: number, credentials: ApnsCredentials, production: boolean): ApnsConnection {
      const key = `${applicationId}:${production ? 'production' : 'sandbox'}`
      const existing = providers.get(key)
      if (existing !== undefined && existing.version === version) return existing
      existing?.health.stop()
      existing?.provider.shutdown()
      const connection = create(credentials, production)
      providers.set(key, { version, ...connection })
      return connection
    },
    async close (): Promise<void> {
      // node-apn never calls back from shutdown() when its last connection attempt failed.
      await Promise.all([...providers.values()].map(({ provider, health }) => new Promise<void>((resolve) => {
        health.stop()
        const timer = setTimeout(resolve, 2000)
        provider.shutdown(() => { clearTimeout(timer); resolve() })
      })))
      providers.clear()
    }
  }
}
export type ApnsProviderPool = ReturnType<typeof createApnsProviderPool>

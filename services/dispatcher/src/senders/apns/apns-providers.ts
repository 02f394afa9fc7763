import apn from '@parse/node-apn'
import type { ApnsCredentials } from '../../credentials.js'
import { captureRetryAfter } from './retry-after.js'

export interface ApnsEndpoint {
  /** APNS_ENDPOINT: another host than Apple's (the test mock); null: Apple's, by environment. */
  url: URL | null
  ca: Buffer | null
  requestTimeoutMs: number
}

/**
 * One long-lived HTTP/2 provider per (application, environment), reused across commands. A
 * credentials change (a new version) replaces the application's providers and shuts the old ones.
 */
export function createApnsProviderPool (endpoint: ApnsEndpoint) {
  const providers = new Map<string, { version: number, provider: apn.Provider }>()

  function create (credentials: ApnsCredentials, production: boolean): apn.Provider {
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
    return provider
  }

  return {
    get (applicationId: number, version: number, credentials: ApnsCredentials, production: boolean): apn.Provider {
      const key = `${applicationId}:${production ? 'production' : 'sandbox'}`
      const existing = providers.get(key)
      if (existing !== undefined && existing.version === version) return existing.provider
      existing?.provider.shutdown()
      const provider = create(credentials, production)
      providers.set(key, { version, provider })
      return provider
    },
    async close (): Promise<void> {
      // node-apn never calls back from shutdown() when its last connection attempt failed.
      await Promise.all([...providers.values()].map(({ provider }) => new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000)
        provider.shutdown(() => { clearTimeout(timer); resolve() })
      })))
      providers.clear()
    }
  }
}
export type ApnsProviderPool = ReturnType<typeof createApnsProviderPool>

import { createGuardedHttpAgent, createGuardedHttpsAgent } from '@beacon/outbound'
import { pino, type Logger } from 'pino'
import type { TokenEndpointPolicy } from '../../config.js'
import type { DeviceTarget } from '../../delivery/claims/resolve-devices.js'
import { fcmRequests } from '../../metrics/provider-requests.js'
import type { PlatformSender, SendOutcome } from '../sender.js'
import { createFcmAppPool } from './fcm-apps.js'
import { createFcmBatches } from './fcm-batches.js'
import { endpointConnector } from './fcm-endpoint-connection.js'
import { buildFcmMessage } from './fcm-message.js'
import { fcmOutcome } from './fcm-outcome.js'
import { RetryAfterByToken } from './retry-after-by-token.js'

export interface FcmEndpoint {
  /** FCM_ENDPOINT: another host than Google's (the test mock). */
  url: URL | null
  /** FCM_CA_FILE: the CA trusted for FCM_ENDPOINT. */
  ca: Buffer | null
  requestTimeoutMs: number
  /** FCM_CONCURRENCY: requests (HTTP/2 streams) in flight at once, all commands together. */
  concurrency: number
  /** FCM_TOKEN_URIS and FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: where service accounts may get tokens. */
  tokenEndpoints: TokenEndpointPolicy
  /** Where token-endpoint failures are logged with the endpoint's own words (default: nowhere). */
  log?: Logger
}

/**
 * FCM HTTP v1 through firebase-admin's `sendEach` over HTTP/2 (its default transport), one stream
 * per device, the devices of many commands gathered into each call (fcm-batches.ts).
 */
export function createFcmSender (endpoint: FcmEndpoint): PlatformSender {
  const retryAfter = new RetryAfterByToken()
  // Token requests go where an uploaded key file says: through the destination guard.
  const guard = { allowPrivateNetworks: endpoint.tokenEndpoints.allowPrivateNetworks }
  const tokenAgents = { http: createGuardedHttpAgent(guard), https: createGuardedHttpsAgent(guard) }
  const pool = createFcmAppPool(retryAfter, {
    ca: endpoint.ca,
    timeoutMs: endpoint.requestTimeoutMs,
    policy: endpoint.tokenEndpoints,
    agents: tokenAgents,
    log: endpoint.log ?? pino({ enabled: false })
  })
  const batches = createFcmBatches({
    concurrency: endpoint.concurrency,
    connector: endpoint.url === null ? null : endpointConnector(endpoint.url, endpoint.ca),
    outcomeOf: (token, response) => response.success ? { kind: 'sent' } : fcmOutcome(response.error, retryAfter.take(token)),
    batchFailed: (error) => {
      const outcome = fcmOutcome(error)
      // The connection failed before any request was answered: worth another try, whatever words it came in.
      return outcome.kind === 'retry' ? outcome : { kind: 'retry', reason: 'ConnectionError', ...(outcome.kind === 'sent' ? {} : { detail: outcome.detail }) }
    }
  })

  return {
    prepare (credentials, command) {
      const fcm = credentials.fcm
      if (fcm === null) return { ok: false, reason: `FcmNotConfigured: application ${credentials.appId} has no FCM configuration` }
      const built = buildFcmMessage(command)
      if (!built.ok) return built
      return {
        ok: true,
        prepared: {
          send (targets: DeviceTarget[]): Promise<SendOutcome[]> {
            const messaging = pool.get(credentials.id, credentials.version, fcm)
            return Promise.all(targets.map((target) => new Promise<SendOutcome>((resolve) => {
              const started = fcmRequests.start()
              batches.send(messaging, {
                message: built.forToken(target.token),
                token: target.token,
                settle: (outcome) => {
                  fcmRequests.end(started, outcome.kind === 'sent')
                  resolve(outcome)
                }
              })
            })))
          }
        }
      }
    },
    async close () {
      await pool.close()
      tokenAgents.http.destroy()
      tokenAgents.https.destroy()
    }
  }
}

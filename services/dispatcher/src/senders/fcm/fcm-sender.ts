import { createGuardedHttpAgent, createGuardedHttpsAgent } from '@beacon/outbound'
import { pino, type Logger } from 'pino'
import type { TokenEndpointPolicy } from '../../config.js'
import type { DeviceTarget } from '../../delivery/claims/resolve-devices.js'
import { fcmRequests } from '../../metrics/provider-requests.js'
import type { PlatformSender, SendOutcome } from '../sender.js'
import { createFcmAppPool } from './fcm-apps.js'
import { FcmSessions } from './fcm-sessions.js'
import { ErrorAnswersByToken } from './error-answers.js'
import { createLimiter, mapThrough } from '../limiter.js'
import { buildFcmMessage, type BuiltFcmMessage } from './fcm-message.js'
import { fcmOutcome } from './fcm-outcome.js'
import { installSharedAsyncResourceBind } from '../async-resource-bind.js'
import type { Messaging } from 'firebase-admin/messaging'

export interface FcmEndpoint {
  /** FCM_ENDPOINT: another host than Google's (the test mock). */
  url: URL | null
  ca: Buffer | null
  requestTimeoutMs: number
  /** Requests in flight at once, all commands together (FCM HTTP v1 takes one message per request). */
  concurrency: number
  /** FCM_TOKEN_URIS and FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: where service accounts may get tokens. */
  tokenEndpoints: TokenEndpointPolicy
  /** Where token-endpoint failures are logged with the endpoint's own words (default: nowhere). */
  log?: Logger
}

const GOOGLE_FCM = new URL('https://fcm.googleapis.com')

/** FCM HTTP v1 through firebase-admin, one HTTP/2 stream per device on shared connections. */
export function createFcmSender (endpoint: FcmEndpoint): PlatformSender {
  // Each request is an HTTP/2 stream: Node's per-stream bind without its deprecation wrappers.
  installSharedAsyncResourceBind()
  const limit = createLimiter(endpoint.concurrency)
  const errorAnswers = new ErrorAnswersByToken()
  const sessions = new FcmSessions({ origin: endpoint.url ?? GOOGLE_FCM, ca: endpoint.ca, pingTimeoutMs: endpoint.requestTimeoutMs })
  // Token requests go where an uploaded key file says: through the destination guard.
  const guard = { allowPrivateNetworks: endpoint.tokenEndpoints.allowPrivateNetworks }
  const tokenAgents = { http: createGuardedHttpAgent(guard), https: createGuardedHttpsAgent(guard) }
  const pool = createFcmAppPool({ sessions, errorAnswers }, {
    ca: endpoint.ca,
    timeoutMs: endpoint.requestTimeoutMs,
    policy: endpoint.tokenEndpoints,
    agents: tokenAgents,
    log: endpoint.log ?? pino({ enabled: false })
  })

  // One function for every request, not a closure per send: V8 keeps optimised code only while
  // a closure that runs it lives (see send-with-retries.ts).
  const sendOne = async (messaging: Messaging, built: Extract<BuiltFcmMessage, { ok: true }>, target: DeviceTarget): Promise<SendOutcome> => {
    const started = fcmRequests.start()
    try {
      await messaging.send(built.forToken(target.token))
      fcmRequests.end(started, true)
      return { kind: 'sent' }
    } catch (error) {
      fcmRequests.end(started, false)
      return fcmOutcome(error, errorAnswers.answerFor(target.token, error))
    }
  }

  return {
    prepare (credentials, command) {
      const fcm = credentials.fcm
      if (fcm === null) return { ok: false, reason: `FcmNotConfigured: application ${credentials.appId} has no FCM configuration` }
      const built = buildFcmMessage(command)
      if (!built.ok) return built
      return {
        ok: true,
        prepared: {
          async send (targets: DeviceTarget[]): Promise<SendOutcome[]> {
            const messaging = pool.get(credentials.id, credentials.version, fcm)
            return mapThrough(targets, limit, (target) => sendOne(messaging, built, target))
          }
        }
      }
    },
    async close () {
      await pool.close()
      await sessions.close()
      tokenAgents.http.destroy()
      tokenAgents.https.destroy()
    }
  }
}

import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getMessaging, type Messaging } from 'firebase-admin/messaging'
import type { FcmCredentials } from '../../credentials.js'
import type { FcmSessions } from './fcm-sessions.js'
import { sendOverSessions } from './firebase-http2-transport.js'
import { boundFirebaseRequests } from './firebase-request-bounds.js'
import type { ErrorAnswersByToken } from './error-answers.js'
import { serviceAccountCredential, type TokenRequestOptions } from './oauth-credential.js'

// firebase-admin's app names are process-wide: a second pool (two senders in one process) counting
// from 0 again named its first app as the first pool's, and initializeApp refused it.
let generation = 0

/**
 * One firebase-admin app per application, reused; replaced (and the old one deleted) when the
 * application's credentials version changes.
 */
export function createFcmAppPool (transport: { sessions: FcmSessions, errorAnswers: ErrorAnswersByToken }, options: TokenRequestOptions) {
  const apps = new Map<number, { version: number, app: App, messaging: Messaging }>()

  return {
    get (applicationId: number, version: number, credentials: FcmCredentials): Messaging {
      const existing = apps.get(applicationId)
      if (existing !== undefined && existing.version === version) return existing.messaging
      // Commands that took the old app may still be sending with it: delete it a little later.
      if (existing !== undefined) setTimeout(() => { deleteApp(existing.app).catch(() => {}) }, 60_000).unref()
      const app = initializeApp({
        credential: serviceAccountCredential(credentials.serviceAccount, options),
        projectId: credentials.projectId
      }, `beacon-${applicationId}-${version}-${generation++}`)
      const messaging = getMessaging(app)
      // FCM_TIMEOUT_MS for each send request, and no retries but ours (send-with-retries.ts).
      boundFirebaseRequests(messaging, options.timeoutMs)
      // Each send() one HTTP/2 stream on the connections every application shares.
      sendOverSessions(messaging, transport.sessions, transport.errorAnswers)
      apps.set(applicationId, { version, app, messaging })
      return messaging
    },
    async close (): Promise<void> {
      await Promise.all([...apps.values()].map(({ app }) => deleteApp(app)))
      apps.clear()
    }
  }
}

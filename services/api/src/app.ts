import type { FastifyInstance } from 'fastify'
import type { Transport } from '@beacon/transport'
import type { ApiConfig } from './config.js'
import basicAuth from './plugins/external/basic-auth.js'
import db from './plugins/external/db.js'
import errorHandler from './plugins/external/error-handler.js'
import openapi from './plugins/external/openapi.js'
import consolePage from './plugins/external/console-page.js'
import rateLimit from './plugins/external/rate-limit.js'
import transport from './plugins/external/transport.js'
import underPressure from './plugins/external/under-pressure.js'
import routeAuth from './plugins/app/access/route-auth.js'
import crossSiteRequests from './plugins/app/access/cross-site-requests.js'
import untrustedForwarding from './plugins/app/access/untrusted-forwarding.js'
import webSocketUpgrades from './plugins/app/access/websocket-upgrades.js'
import adminCredentials from './plugins/app/access/admin-credentials.js'
import consoleSession from './plugins/app/access/console-session.js'
import powerAuth from './plugins/app/powerauth.js'
import jacksonInput from './plugins/app/jackson-input.js'
import { answerWrongMethods } from './plugins/app/wrong-method.js'
import closing from './plugins/app/closing.js'
import outbox from './plugins/app/outbox.js'
import retention from './plugins/app/retention.js'
import abandonedCommands from './plugins/app/abandoned-commands.js'
import resultRecorder from './plugins/app/result-recorder.js'
import requestMetrics from './plugins/app/operations/request-metrics.js'
import stateMetrics from './plugins/app/operations/state-metrics.js'
import readiness from './plugins/app/operations/readiness.js'
import opsListener from './plugins/app/operations/ops-listener.js'
import operationsRoutes from './routes/operations/index.js'
import adminRoutes from './routes/admin/index.js'
import deviceRoutes from './routes/devices/index.js'
import campaignRoutes from './routes/campaigns/index.js'
import messageRoutes from './routes/messages/index.js'
import serviceRoutes from './routes/service/index.js'
import callbacks from './plugins/app/callbacks/index.js'
import inAppChannel from './plugins/app/in-app-channel.js'
import pushFallback from './plugins/app/push-fallback.js'
import developerAdminRoutes from './routes/developers/index.js'
import consoleRoutes from './routes/console/index.js'
import consoleSessionRoutes from './routes/console-session/index.js'
import developerApiRoutes from './routes/developer-api/index.js'
import inAppRoutes from './routes/in-app/index.js'
import inboxRoutes from './routes/inbox/index.js'

export interface AppOptions {
  config: ApiConfig
  /** The embedded default passes its in-process transport; otherwise the api connects to NATS. */
  transport?: Transport
}

/**
 * The api service as a Fastify plugin: external wrappers first, then domain plugins, then the
 * three APIs, each in a scope of its own whose hooks authenticate every route in it. A route
 * outside them must declare `config.auth: 'none'` (route-auth refuses to start otherwise).
 */
export default async function beaconApi (app: FastifyInstance, { config, transport: given }: AppOptions) {
  await app.register(routeAuth)
  // Before every route: the document is built from the routes as they are added.
  if (config.apiDocs) await app.register(openapi)
  await app.register(errorHandler)
  // Before every route, credentials or not: a write another site's page started never runs.
  await app.register(crossSiteRequests)
  await app.register(untrustedForwarding)
  // Before every route: an upgrade reaches only a route that takes it.
  await app.register(webSocketUpgrades)
  // Before every route: their hooks apply to the scopes registered after them.
  await app.register(requestMetrics)
  await app.register(underPressure, { maxEventLoopDelayMs: config.operations.maxEventLoopDelayMs })
  await app.register(rateLimit)
  await app.register(closing, { connectionGraceMs: Math.floor(config.shutdownTimeoutMs / 2) })
  await app.register(db, {
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    groupSpacingMs: config.databaseGroupSpacingMs,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    queryTimeoutMs: config.databaseQueryTimeoutMs,
    masterKey: config.masterKey
  })
  await app.register(transport, { nats: config.nats, ...(given === undefined ? {} : { transport: given }) })
  await app.register(outbox, config.outbox)
  await app.register(retention, config.retention)
  await app.register(powerAuth, { service: config.powerAuth })
  await app.register(callbacks, { signedApi: config.signedApi })
  await app.register(resultRecorder, { spacingMs: config.resultsBatchSpacingMs })
  await app.register(abandonedCommands)
  await app.register(inAppChannel, { signedApi: config.signedApi, limits: config.limits, masterKey: config.masterKey })
  await app.register(pushFallback, { signedApi: config.signedApi, syncTimeoutMs: config.syncTimeoutMs })
  await app.register(stateMetrics)
  await app.register(readiness)
  await app.register(opsListener, { operations: config.operations })
  // The admin credentials' one check and failure count, for Basic auth and the console's sign-in.
  await app.register(adminCredentials, { credentials: config.auth, failures: config.limits.authFailures })
  await app.register(consoleSession, { settings: config.console, masterKey: config.masterKey, credentials: config.auth })

  // Probes and the scrape, without credentials (`auth: 'none'`).
  await app.register(operationsRoutes, { metricsOnApiPort: config.operations.metricsPort === null })

  // The PowerAuth-compatible API (/push, /admin, /inbox) and Beacon's developer admin: HTTP Basic
  // with the admin credentials, or the web console's session (its cookie with its header), which
  // the admin gets from the same credentials. A PowerAuth client sends Basic and sees no change.
  await app.register(async function powerAuthApi (api) {
    await api.register(basicAuth, { enabled: config.auth !== null, orConsoleSession: true })
    const answerWrongMethodsHere = answerWrongMethods(api)
    await api.register(async function powerAuthRoutes (routes) {
      // Nulls are absent fields and dates may be epoch numbers, as PowerAuth's Java client writes
      // them. Not for Beacon's own developer admin and console, where a null is refused, never
      // ignored (but the console's `cursor: null`, which its schema allows: the first page).
      await routes.register(jacksonInput)
      await routes.register(serviceRoutes, { environmentName: config.environmentName })
      await routes.register(deviceRoutes)
      await routes.register(adminRoutes, { fcmTokenUris: config.fcmTokenUris })
      await routes.register(messageRoutes, { syncTimeoutMs: config.syncTimeoutMs })
      await routes.register(campaignRoutes, { syncTimeoutMs: config.syncTimeoutMs, chunkUsers: config.campaignChunkUsers })
      await routes.register(inboxRoutes)
    })
    await api.register(developerAdminRoutes, { callbackPolicy: config.signedApi.callbackPolicy })
    answerWrongMethodsHere()
  })
  // The console's own routes (/admin/console): Basic auth or the console's session, as above. A scope of
  // its own: PowerAuth's input rules (jackson-input.ts) are not theirs.
  await app.register(async function consoleApi (api) {
    await api.register(basicAuth, { enabled: config.auth !== null, orConsoleSession: true })
    const answerWrongMethodsHere = answerWrongMethods(api)
    await api.register(consoleRoutes)
    answerWrongMethodsHere()
  })
  // The console's sign-in, who am I and logout (/console/api/session), and its page (/console/).
  await app.register(consoleSessionRoutes)
  await app.register(consolePage)
  // The signed developer API (MAAIISDK10) under /api/1.0, and the in-app channel its tokens open.
  await app.register(developerApiRoutes, { signedApi: config.signedApi, limits: config.limits })
  await app.register(inAppRoutes, { limits: config.limits })
}

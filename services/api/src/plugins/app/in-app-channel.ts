import websocket from '@fastify/websocket'
import type { InAppBroadcast, InAppRoute } from '@beacon/contracts'
import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import type { ApiLimits } from '../../config-limits.js'
import type { ApiConfig } from '../../config.js'
import { admits, developerStandings } from '../../domain/in-app/admission.js'
import { InAppSockets } from '../../domain/in-app/sockets.js'
import { createInAppTokens, type InAppTokens } from '../../domain/in-app/token.js'

export interface InAppChannel {
  /** Publishes the message to every api instance; each writes it to the user's sockets it holds. */
  deliver (route: Omit<InAppRoute, 'kind'>): Promise<void>
  /**
   * The developer was disabled, rotated its secret or lost grants: every instance closes that
   * developer's sockets that are no longer admitted. Its tokens are void already (checked on connect).
   */
  developerChanged (developerId: number): Promise<void>
  /** Checks every developer with sockets here again (each keep-alive round does). */
  recheck (): Promise<void>
  tokens: InAppTokens
  /** This instance's sockets. */
  sockets: InAppSockets
}

declare module 'fastify' {
  interface FastifyInstance {
    inApp: InAppChannel
  }
}

export interface InAppChannelOptions {
  signedApi: ApiConfig['signedApi']
  limits: ApiLimits
  masterKey: Buffer
}

/** Largest client frame: an ack is under 100 bytes. */
const MAX_CLIENT_FRAME_BYTES = 4096

/**
 * The in-app (IM) channel: WebSocket support, the per-user socket registry of this instance, and
 * the fan-out through the transport so that a message posted to any instance reaches the user's
 * sockets wherever they are connected.
 */
export default fp<InAppChannelOptions>(async (app, { signedApi, limits, masterKey }) => {
  let keepAlive: NodeJS.Timeout | undefined
  await app.register(websocket, {
    options: { maxPayload: MAX_CLIENT_FRAME_BYTES },
    // Graceful shutdown: "going away" (1001) tells clients to reconnect, to another instance.
    preClose: async () => {
      clearInterval(keepAlive)
      for (const client of app.websocketServer.clients) client.close(1001, 'server shutting down')
      app.websocketServer.close()
    }
  })
  const sockets = new InAppSockets(
    { perUser: limits.inAppSocketsPerUser, perToken: limits.inAppSocketsPerToken, maxBufferedBytes: limits.inAppMaxBufferedBytes },
    (grant) => { app.log.warn({ developerId: grant.developerId, applicationId: grant.applicationId }, 'in-app socket closed: a slow consumer') }
  )

  /** Closes the sockets of these developers that their current standing no longer admits. */
  const recheck = async (developerIds: number[]) => {
    if (developerIds.length === 0) return
    const standings = await developerStandings(app.db, developerIds)
    for (const developerId of developerIds) {
      const closed = sockets.revoke(developerId, (grant) => admits(standings.get(developerId), grant))
      if (closed > 0) app.log.info({ developerId, closed }, 'in-app sockets closed: the developer no longer admits them')
    }
  }
  const recheckOrLog = (developerIds: number[]) => {
    recheck(developerIds).catch((err: unknown) => { app.log.warn({ err }, 'in-app sockets not rechecked; the next round retries') })
  }
  const receive = (event: InAppBroadcast) => {
    if (event.kind === 'developer-changed') recheckOrLog([event.developerId])
    else sockets.send(event, JSON.stringify(event.frame))
  }
  const publish = async (event: InAppBroadcast) => {
    try {
      await app.transport.publishInApp(event)
    } catch (error) {
      // Messages are stored (other instances' sockets get them on reconnect, or as push); other
      // instances recheck their sockets at the next keep-alive round.
      app.log.warn({ err: error, kind: event.kind }, 'in-app fan-out failed; acting on this instance only')
      receive(event)
    }
  }

  app.decorate('inApp', {
    deliver: async (route) => { await publish({ kind: 'message', ...route }) },
    developerChanged: async (developerId) => { await publish({ kind: 'developer-changed', developerId }) },
    recheck: async () => { await recheck(sockets.developers()) },
    tokens: createInAppTokens(masterKey, signedApi.inAppTokenTtlSeconds),
    sockets
  } satisfies InAppChannel)

  let subscription: Stoppable | undefined
  app.addHook('onReady', async () => {
    subscription = app.transport.subscribeInApp(receive)
    // Keep-alive (INAPP_PING_INTERVAL_MS): a socket that missed one pong is terminated. Each round
    // also checks the developers of the open sockets again, in case a change was published while
    // NATS was away.
    keepAlive = setInterval(() => {
      sockets.ping()
      recheckOrLog(sockets.developers())
    }, signedApi.inAppPingIntervalMs).unref()
  })
  app.addHook('onClose', async () => { await subscription?.stop() })
}, { name: 'in-app-channel', dependencies: ['db', 'transport'] })

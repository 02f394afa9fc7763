import websocket from '@fastify/websocket'
import type { InAppRoute } from '@beacon/contracts'
import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../../config.js'
import { InAppSockets } from '../../domain/in-app-sockets.js'
import { createInAppTokens, type InAppTokens } from '../../domain/in-app-token.js'

export interface InAppChannel {
  /** Publishes the message to every api instance; each writes it to the user's sockets it holds. */
  deliver (route: InAppRoute): Promise<void>
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
  masterKey: Buffer
  /** Keep-alive ping period; a socket that misses one pong is terminated. */
  pingIntervalMs?: number
}

/** Largest client frame: an ack is under 100 bytes. */
const MAX_CLIENT_FRAME_BYTES = 4096

/**
 * The in-app (IM) channel: WebSocket support, the per-user socket registry of this instance, and
 * the fan-out through the transport so that a message posted to any instance reaches the user's
 * sockets wherever they are connected.
 */
export default fp<InAppChannelOptions>(async (app, { signedApi, masterKey, pingIntervalMs = 30_000 }) => {
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
  const sockets = new InAppSockets()

  const writeLocally = (route: InAppRoute) => {
    sockets.send({ applicationId: route.applicationId, userId: route.userId }, JSON.stringify(route.frame))
  }
  app.decorate('inApp', {
    async deliver (route) {
      try {
        await app.transport.publishInApp(route)
      } catch (error) {
        // The message is stored: other instances' sockets get it on reconnect, or as push.
        app.log.warn({ err: error, requestId: route.frame.id }, 'in-app fan-out failed; delivering to local sockets only')
        writeLocally(route)
      }
    },
    tokens: createInAppTokens(masterKey, signedApi.inAppTokenTtlSeconds),
    sockets
  } satisfies InAppChannel)

  let subscription: Stoppable | undefined
  app.addHook('onReady', async () => {
    subscription = app.transport.subscribeInApp(writeLocally)
    keepAlive = setInterval(() => sockets.ping(), pingIntervalMs).unref()
  })
  app.addHook('onClose', async () => { await subscription?.stop() })
}, { name: 'in-app-channel', dependencies: ['db', 'transport'] })

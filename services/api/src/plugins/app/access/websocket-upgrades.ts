import fp from 'fastify-plugin'
import { answerByPath, closeRefusedUpgrade } from '../../../router-errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes WebSocket upgrades (it has a wsHandler); no other route does. */
    webSocket?: true
  }
}

/**
 * WebSocket upgrades only where a route takes them. @fastify/websocket completes the handshake on
 * every GET route registered after it and then closes the socket itself (after up to ws's 30 s
 * close timeout, with a log line): anyone could open WebSocket connections on /healthz that no
 * connect limit counted. Refused here with an HTTP answer instead. A path no route has is left
 * to its 404. Every upgrade answered with HTTP then has its socket closed (closeRefusedUpgrade).
 */
export default fp(async (app) => {
  app.addHook('onRequest', (request, reply, done) => {
    if ((request.raw as { upgrade?: boolean }).upgrade !== true || request.is404 || request.routeOptions.config.webSocket === true) {
      done()
      return
    }
    answerByPath(request, reply, 400, 'this endpoint takes no WebSocket upgrade')
  })
  // Any upgrade answered with HTTP, whoever refused it (the router's answers close theirs themselves).
  app.addHook('onResponse', (request, _reply, done) => {
    closeRefusedUpgrade(request)
    done()
  })
}, { name: 'websocket-upgrades' })

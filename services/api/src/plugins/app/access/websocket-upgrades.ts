import fp from 'fastify-plugin'
import { answerByPath } from '../../../router-errors.js'

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
 * connect limit counted. Refused here with an HTTP answer instead, whose socket is then closed
 * (closeRefusedUpgrade). A path no route has is left to its 404.
 */
export default fp(async (app) => {
  app.addHook('onRequest', (request, reply, done) => {
    if ((request.raw as { upgrade?: boolean }).upgrade !== true || request.is404 || request.routeOptions.config.webSocket === true) {
      done()
      return
    }
    answerByPath(request, reply, 400, 'this endpoint takes no WebSocket upgrade')
  })
}, { name: 'websocket-upgrades' })

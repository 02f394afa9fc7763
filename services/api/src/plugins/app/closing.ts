import { setMaxListeners } from 'node:events'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Aborted when the api starts to close: work that waits (a SYNCHRONOUS send) answers now with what it knows. */
    closing: AbortSignal
  }
}

/**
 * The close starts: Fastify refuses new requests and waits for those in flight before it closes
 * the pool and NATS. A SYNCHRONOUS send may wait up to SYNC_TIMEOUT_MS (10 s by default, up to
 * 300 s), longer than a stop may take (Docker kills after its grace period): told here, it answers
 * at once, counting what is open as pending, as at its timeout.
 */
export default fp(async (app) => {
  const controller = new AbortController()
  // One listener per SYNCHRONOUS send in flight: hundreds under load are expected, not a leak.
  setMaxListeners(0, controller.signal)
  app.decorate('closing', controller.signal)
  app.addHook('preClose', async () => { controller.abort() })
  // An answer given while closing ends its connection: a client's keep-alive connection would
  // otherwise hold the close (and the exit) for Fastify's keepAliveTimeout, 72 s.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (controller.signal.aborted) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'closing' })

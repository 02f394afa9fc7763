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
export interface ClosingOptions {
  /**
   * How long connections may keep the close waiting (half of SHUTDOWN_TIMEOUT_MS): then every one
   * still open is cut, so the pool and NATS still close before the deadline.
   */
  connectionGraceMs: number
}

/** How often connections that became idle meanwhile are closed (Node's server.close() does it once). */
const IDLE_SWEEP_MS = 200

export default fp<ClosingOptions>(async (app, { connectionGraceMs }) => {
  const controller = new AbortController()
  // One listener per SYNCHRONOUS send in flight: hundreds under load are expected, not a leak.
  setMaxListeners(0, controller.signal)
  app.decorate('closing', controller.signal)
  let sweep: NodeJS.Timeout | undefined
  let cut: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    controller.abort()
    // Fastify's server.close() that follows waits for every connection to end, and Node closes
    // only those idle at that moment: one whose request never came (a client that connected and
    // sent nothing, or not all of its headers) held the close, silently, until the shutdown
    // deadline (exit 1). Idle ones are swept again as answers finish; at the grace, all are cut.
    const server = app.server
    sweep = setInterval(() => { server.closeIdleConnections() }, IDLE_SWEEP_MS).unref()
    cut = setTimeout(() => {
      app.log.warn({ graceMs: connectionGraceMs }, 'connections still open at the close\'s grace: cut')
      server.closeAllConnections()
    }, connectionGraceMs).unref()
  })
  // The server has closed (Fastify closes it before any onClose hook).
  app.addHook('onClose', async () => { clearInterval(sweep); clearTimeout(cut) })
  // An answer given while closing ends its connection: a client's keep-alive connection would
  // otherwise hold the close (and the exit) for Fastify's keepAliveTimeout, 72 s.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (controller.signal.aborted) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'closing' })

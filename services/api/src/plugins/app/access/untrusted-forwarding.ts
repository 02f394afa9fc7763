import fp from 'fastify-plugin'

export interface UntrustedForwardingOptions {
  /** TRUST_PROXY: whether (and from which proxies) X-Forwarded-For names the client. */
  trustProxy: false | number | string[]
}

/**
 * Behind a proxy without TRUST_PROXY every client has the proxy's address, so the per-address
 * limits (wrong credentials, in-app connects) are shared: one client's failures lock out all. A
 * request that carries X-Forwarded-For (or Forwarded) while TRUST_PROXY is off is the sign of it:
 * said once per process, at warn level (a client may send the header itself; then it is harmless).
 */
export default fp<UntrustedForwardingOptions>(async (app, { trustProxy }) => {
  if (trustProxy !== false) return
  let said = false
  // A callback hook, not an async one: every request runs it, and a promise each is not free.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!said && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined)) {
      said = true
      request.log.warn({ remoteAddress: request.ip },
        'a request came through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: every client behind it shares the proxy\'s address in the per-address limits; set TRUST_PROXY to the proxies in front of the api')
    }
    done()
  })
}, { name: 'untrusted-forwarding' })

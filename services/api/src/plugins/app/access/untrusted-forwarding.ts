import fp from 'fastify-plugin'

/**
 * Behind a proxy that TRUST_PROXY does not name (unset, or a list without it) every client has
 * the proxy's address, so the per-address limits (wrong credentials, in-app connects) are shared:
 * one client's failures lock out all. A request that carries X-Forwarded-For and still has its
 * connection's address as the client's is the sign of it: said once per process, at warn level
 * (a client may send the header itself; then it is harmless). Fastify reads X-Forwarded-For only,
 * not `Forwarded`: a proxy that sends only that cannot be trusted by TRUST_PROXY anyway.
 */
export default fp(async (app) => {
  let said = false
  // A callback hook, not an async one: every request runs it, and a promise each is not free.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!said && request.headers['x-forwarded-for'] !== undefined && request.ip === request.socket.remoteAddress) {
      said = true
      request.log.warn({ remoteAddress: request.ip },
        'a request came through a proxy (X-Forwarded-For) that TRUST_PROXY does not name: every client behind it shares the proxy\'s address in the per-address limits; set TRUST_PROXY to the proxies in front of the api')
    }
    done()
  })
}, { name: 'untrusted-forwarding' })

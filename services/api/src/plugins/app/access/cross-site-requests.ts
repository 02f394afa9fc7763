import { ApiErrorCode } from '@beacon/contracts'
import fp from 'fastify-plugin'
import { ApiError } from '../../../errors.js'

// Methods that only read: a cross-site page cannot read the answers (no CORS) and they change nothing.
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A write that another site's page started is refused, whatever credentials came with it. Browsers
 * say where a request comes from (`Sec-Fetch-Site`); servers and PowerAuth's Java client send no such
 * header and are unaffected. This closes what SameSite cookies and the console's header do not:
 * Basic credentials a browser remembered from its own password prompt, which some browsers attach
 * to a cross-site `<form enctype="text/plain">` or `fetch(…, { mode: 'no-cors' })` — a body-less
 * POST such as a campaign's live send or delete needs nothing more. No legitimate caller of Beacon
 * writes from another site's page: the api answers no CORS preflight.
 */
export default fp(async (app) => {
  app.addHook('onRequest', async (request) => {
    if (READS.has(request.method)) return
    const site = request.headers['sec-fetch-site']
    if (site === 'cross-site' || site === 'same-site') {
      request.log.info({ remoteAddress: request.ip, site }, 'a write started by another site refused')
      throw new ApiError(403, ApiErrorCode.FORBIDDEN, `a request another site's page started is refused (Sec-Fetch-Site: ${site})`)
    }
  })
}, { name: 'cross-site-requests' })

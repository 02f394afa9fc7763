import { DebugEchoResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'

/**
 * `GET|POST /api/1.0/debug/echo`: a signed no-op. Developers call it to test their signing: a 200
 * means the request was accepted, and the answer shows what the server verified.
 */
const debugRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const echo = async (request: FastifyRequest) => ({
    developerKey: request.developer.key,
    method: request.raw.method ?? request.method,
    uri: request.raw.url ?? request.url,
    // A JSON body arrives parsed; any other content type stays bytes, which are not echoed.
    body: request.body === undefined || Buffer.isBuffer(request.body) ? null : request.body
  })
  const options = { schema: { response: { 200: DebugEchoResponse } } }
  app.get('/debug/echo', options, echo)
  app.post('/debug/echo', options, echo)
}
export default debugRoutes

import { startProcessMetrics } from '@beacon/metrics'
import fp from 'fastify-plugin'
import { observeRequest } from '../../../metrics/http-requests.js'

/**
 * The process metrics (event-loop lag, heap, RSS, GC) and the duration of every answered request.
 * Registered before any route: a hook added to the root later would miss the scopes made before.
 */
export default fp(async (app) => {
  startProcessMetrics()
  app.addHook('onResponse', async (request, reply) => { observeRequest(request, reply) })
}, { name: 'request-metrics' })

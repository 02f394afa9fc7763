import { LATENCY_BUCKETS, histogram } from '@beacon/metrics'
import type { FastifyReply, FastifyRequest } from 'fastify'

const requestDuration = histogram<'method' | 'route' | 'status_code'>({
  name: 'beacon_http_request_duration_seconds',
  help: 'Time to answer an HTTP request of the api, by method, route template and status code',
  labelNames: ['method', 'route', 'status_code'],
  buckets: LATENCY_BUCKETS
})

/**
 * The route label: the template Fastify matched (`/api/1.0/push/:address`), never the path asked
 * (it holds ids, user names, tokens: an unbounded label). A request no route matched (a 404, a
 * malformed URL the router refused) is `unmatched`.
 */
export function routeLabel (request: FastifyRequest): string {
  const template = request.routeOptions.url
  return request.is404 || template === undefined || template === '' ? 'unmatched' : template
}

/** One observation per answered request (an onResponse hook). */
export function observeRequest (request: FastifyRequest, reply: FastifyReply): void {
  requestDuration.observe({ method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) }, reply.elapsedTime / 1000)
}

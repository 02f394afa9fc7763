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
 * (it holds ids, user names, tokens: an unbounded label). A request no route matched (a 404) is
 * `unmatched`; so is one the router refused (observeRouterAnswer).
 */
export function routeLabel (request: FastifyRequest): string {
  const template = request.routeOptions.url
  return request.is404 || template === undefined || template === '' ? 'unmatched' : template
}

/** One observation per answered request (an onResponse hook). */
export function observeRequest (request: FastifyRequest, reply: FastifyReply): void {
  requestDuration.observe({ method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) }, reply.elapsedTime / 1000)
}

/**
 * One observation for an answer of the router itself (a malformed URL, a path parameter too long:
 * Fastify's frameworkErrors), as route `unmatched`. Fastify runs no hook for those, onResponse
 * included, so observeRequest never sees them: router-errors.ts times them from the router's
 * refusal to the response's end (or the connection's), as onResponse would be.
 */
export function observeRouterAnswer (request: FastifyRequest, reply: FastifyReply, elapsedMs: number): void {
  requestDuration.observe({ method: request.method, route: 'unmatched', status_code: String(reply.statusCode) }, elapsedMs / 1000)
}

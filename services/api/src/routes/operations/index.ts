import { scrape } from '@beacon/metrics'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { letThrough } from '../../plugins/external/under-pressure.js'

const Live = Type.Object({ status: Type.Literal('ok') })
const Unavailable = Type.Object({
  status: Type.Literal('unavailable'),
  failing: Type.Array(Type.Union([Type.Literal('database'), Type.Literal('nats'), Type.Literal('streams')]))
})

// For probes and scrapers: no credentials, never shed under pressure, no access-log line every few
// seconds (warnings and errors still are), never cached on the way.
const config = { auth: 'none', pressureHandler: letThrough } as const
const quiet = { config, logLevel: 'warn' } as const

/**
 * `GET /healthz` (the process answers), `GET /readyz` (its database and NATS answer; 503 naming
 * only the failing parts), and `GET /metrics` unless METRICS_PORT gives it a listener of its own.
 */
const operationsRoutes: FastifyPluginAsyncTypebox<{ metricsOnApiPort: boolean }> = async (app, { metricsOnApiPort }) => {
  app.get('/healthz', { ...quiet, schema: { response: { 200: Live } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' as const }
  })
  app.get('/readyz', { ...quiet, schema: { response: { 200: Live, 503: Unavailable } } }, async (_request, reply) => {
    const { statusCode, body } = await app.readiness.answer()
    return reply.code(statusCode).header('cache-control', 'no-store').send(body as never)
  })
  if (!metricsOnApiPort) return
  app.get('/metrics', quiet, async (_request, reply) => {
    const { body, contentType } = await scrape()
    return reply.header('cache-control', 'no-store').type(contentType).send(body)
  })
}
export default operationsRoutes

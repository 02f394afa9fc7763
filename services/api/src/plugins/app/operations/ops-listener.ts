import { startOpsServer, type OpsServer } from '@beacon/metrics'
import fp from 'fastify-plugin'
import type { OperationsSettings } from '../../../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** METRICS_PORT's listener once the api is ready (its port: METRICS_PORT=0 picks one); null without. */
    opsListener: () => OpsServer | null
  }
}

/**
 * With METRICS_PORT set, /metrics (and /healthz, /readyz again) on a listener of its own, so that
 * the scraper's port need not be exposed with the API. Opened when the api is ready, closed with it.
 */
export default fp<{ operations: OperationsSettings }>(async (app, { operations }) => {
  let listener: OpsServer | null = null
  app.decorate('opsListener', () => listener)
  const port = operations.metricsPort
  if (port === null) return
  app.addHook('onReady', async () => {
    listener = await startOpsServer({ host: operations.metricsHost, port, readiness: app.readiness })
    app.log.info({ host: operations.metricsHost, port: listener.port }, 'metrics and health listening')
  })
  app.addHook('onClose', async () => { await listener?.close() })
}, { name: 'ops-listener', dependencies: ['readiness'] })

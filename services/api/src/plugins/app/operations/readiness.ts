import { databaseReadiness } from '@beacon/db'
import { createReadinessProbe, type ReadinessCheck, type ReadinessProbe } from '@beacon/metrics'
import { brokerReadiness, type Transport } from '@beacon/transport'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** What /readyz asks (on the API port and on METRICS_PORT's listener). */
    readiness: ReadinessProbe
  }
}

/** The api is ready when PostgreSQL answers through its own pool (`database`) and the broker's parts do. */
export function readinessChecks (pool: Parameters<typeof databaseReadiness>[0], transport: Pick<Transport, 'checkReady'>): ReadinessCheck[] {
  return [databaseReadiness(pool), ...brokerReadiness(transport)]
}

export default fp(async (app) => {
  app.decorate('readiness', createReadinessProbe(readinessChecks(app.db.pool, app.transport), { log: app.log }))
}, { name: 'readiness', dependencies: ['db', 'transport'] })

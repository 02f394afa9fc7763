import type { ReadinessCheck } from '@beacon/metrics'
import type { Transport } from '@beacon/transport'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** What /readyz asks (on the API port and on METRICS_PORT's listener). */
    readiness: ReadinessCheck[]
  }
}

/** nats.js's error for a stream that does not exist (the broker answered). */
const isMissingStream = (error: unknown) => (error as { name?: unknown } | undefined)?.name === 'StreamNotFoundError'

/**
 * The api is ready when PostgreSQL answers through its own pool (`database`), and NATS answers
 * (`nats`) with every work-queue stream present (`streams`). One checkReady per round serves the
 * two NATS parts: a broker that does not answer is `nats` only, a missing stream `streams` only.
 */
export function readinessChecks (pool: { query (text: string): Promise<unknown> }, transport: Pick<Transport, 'checkReady'>): ReadinessCheck[] {
  let round: Promise<void> | undefined
  const natsReady = () => (round ??= transport.checkReady().finally(() => { round = undefined }))
  return [
    { part: 'database', check: () => pool.query('SELECT 1') },
    { part: 'nats', check: () => natsReady().catch((error: unknown) => { if (!isMissingStream(error)) throw error }) },
    { part: 'streams', check: () => natsReady().catch((error: unknown) => { if (isMissingStream(error)) throw error }) }
  ]
}

export default fp(async (app) => {
  app.decorate('readiness', readinessChecks(app.db.pool, app.transport))
}, { name: 'readiness', dependencies: ['db', 'transport'] })

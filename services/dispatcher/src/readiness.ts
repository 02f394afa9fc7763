import type { Db } from '@beacon/db'
import type { ReadinessCheck } from '@beacon/metrics'
import { brokerReadiness, type Transport } from '@beacon/transport'

/** What /readyz asks of a dispatcher: PostgreSQL answers through its own pool, and the broker's parts. */
export function readinessChecks (db: Db, transport: Transport): ReadinessCheck[] {
  return [{ part: 'database', check: () => db.pool.query('SELECT 1') }, ...brokerReadiness(transport)]
}

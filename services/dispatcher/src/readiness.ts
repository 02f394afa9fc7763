import { databaseReadiness, type Db } from '@beacon/db'
import type { ReadinessCheck } from '@beacon/metrics'
import { brokerReadiness, type Transport } from '@beacon/transport'

/** What /readyz asks of a dispatcher: PostgreSQL answers through its own pool, and the broker's parts. */
export function readinessChecks (db: Db, transport: Transport): ReadinessCheck[] {
  return [databaseReadiness(db.pool), ...brokerReadiness(transport)]
}

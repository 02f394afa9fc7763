import type { Db } from '@beacon/db'
import type { ReadinessCheck } from '@beacon/metrics'
import { TransportError, TransportErrorCode, type Transport } from '@beacon/transport'

const streamMissing = (error: unknown) => error instanceof TransportError && error.code === TransportErrorCode.STREAM_MISSING

/**
 * What /readyz asks of a dispatcher: PostgreSQL answers through its own pool, the NATS connection
 * is up, and the work-queue streams exist. NATS and the streams are one question to the broker
 * (asked once per probe): a broker not reached fails `nats` only, a stream not there `streams` only.
 */
export function readinessChecks (db: Db, transport: Transport): ReadinessCheck[] {
  let asking: Promise<void> | undefined
  const brokerReady = () => (asking ??= transport.checkReady().finally(() => { asking = undefined }))
  return [
    { part: 'database', check: () => db.pool.query('SELECT 1') },
    { part: 'nats', check: () => brokerReady().catch((error: unknown) => { if (!streamMissing(error)) throw error }) },
    { part: 'streams', check: () => brokerReady().catch((error: unknown) => { if (streamMissing(error)) throw error }) }
  ]
}

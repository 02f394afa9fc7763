import { backoffDelay, type Backoff } from '@beacon/backoff'
import { DatabaseError, Prisma, type Db } from '@beacon/db'

export type Tx = Prisma.TransactionClient

// PostgreSQL's deadlock, serialization failure and unique violation.
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '23505'])
const ATTEMPTS = 3
/**
 * A short, random pause so the two contenders do not collide again in step: anything below 20 ms,
 * then below 40 ms (full jitter; with three attempts there are only these two pauses).
 */
export const CONFLICT_BACKOFF: Backoff = { baseMs: 20, jitter: 1 }

/**
 * True for failures that a fresh attempt of the same transaction resolves: a deadlock between two
 * registrations that move the same activations in opposite directions, or a unique violation
 * from a row another request inserted first. node-postgres reports the SQLSTATE as `code`;
 * Prisma reports them as P2034/P2002 from its own queries and as P2010 (with the SQLSTATE
 * inside) from raw ones.
 */
export function isTransientConflict (error: unknown): boolean {
  if (error instanceof DatabaseError) return TRANSIENT_SQLSTATES.has(error.code ?? '')
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false
  if (error.code === 'P2034' || error.code === 'P2002') return true
  const driver = (error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)?.driverAdapterError
  const sqlState = driver?.cause?.originalCode
  return typeof sqlState === 'string' && TRANSIENT_SQLSTATES.has(sqlState)
}

/**
 * One transaction for one device request, tried again (up to three attempts in all) when it
 * lost a race against a concurrent request on the same token or activation.
 */
export function deviceTransaction<T> (db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retryTransientConflicts(() => db.$transaction(work))
}

/** `attempt` (one transaction) again, up to three times in all, while it fails with a transient conflict. */
export async function retryTransientConflicts<T> (attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= ATTEMPTS || !isTransientConflict(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(CONFLICT_BACKOFF, tries)))
    }
  }
}

/**
 * Serializes the requests that touch the same activation ids (in any application) until this
 * transaction ends. Row locks alone cannot: a registration that moves an activation must see
 * which token held it, and a row another transaction has inserted but not committed is invisible
 * to it. Taken first, and in one sorted order, so that two holders cannot wait on each other.
 */
export async function lockActivations (tx: Tx, activationIds: string[]): Promise<void> {
  if (activationIds.length === 0) return
  // $executeRaw: the lock function returns void, a column type $queryRaw cannot decode.
  // The key of beacon_register_device (migration 20261205220000), built-ins named as there.
  await tx.$executeRaw`
    SELECT pg_catalog.pg_advisory_xact_lock(lock_key) FROM (
      SELECT DISTINCT pg_catalog.hashtextextended('beacon.activation:' || id, 0::bigint) AS lock_key
      FROM pg_catalog.unnest(${activationIds}::text[]) AS id ORDER BY lock_key
    ) AS keys`
}

/**
 * Deletes those of `deviceIds` that no longer carry an activation (a token whose activations all
 * moved away or were removed). The rows are locked first and counted in a later statement, so a
 * concurrent registration that just added an activation to one of them is seen, not cascaded away.
 */
export async function deleteDevicesLeftEmpty (tx: Tx, deviceIds: bigint[]): Promise<number> {
  if (deviceIds.length === 0) return 0
  const sorted = [...new Set(deviceIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  await tx.$queryRaw`SELECT id FROM device WHERE id = ANY(${sorted}::bigint[]) ORDER BY id FOR UPDATE`
  const { count } = await tx.device.deleteMany({ where: { id: { in: sorted }, activations: { none: {} } } })
  return count
}

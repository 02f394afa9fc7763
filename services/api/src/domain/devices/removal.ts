import type { Db, Prisma } from '@beacon/db'
import { deviceTransaction, lockActivations, type Tx } from './transaction.js'

/**
 * `/push/device/remove`: forgets the token of the application with PowerAuth id `appId` and,
 * through the foreign key, its activations. Removing a token that is not registered, or one of an
 * application that does not exist, succeeds too: the caller's goal is already met.
 */
export async function removeDevice (db: Db, appId: string, pushToken: string): Promise<number> {
  return removeDevices(db, { application: { appId }, pushToken })
}

/** Deletes the devices `where` selects, their activations with them (see deleteInLockOrder). */
export async function removeDevices (db: Db, where: Prisma.DeviceWhereInput): Promise<number> {
  return deviceTransaction(db, async (tx) => {
    const ids = (await tx.device.findMany({ where, select: { id: true } })).map((device) => device.id)
    return await deleteInLockOrder(tx, ids, async () => (await tx.device.deleteMany({ where: { id: { in: ids } } })).count)
  })
}

/**
 * Deletes the registrations whose token a provider called invalid at `at`, unless renewed since
 * (a registration renewed after the verdict carries a token the app just confirmed).
 */
export async function removeInvalidRegistrations (db: Db, verdicts: Array<{ deviceId: string, at: string }>): Promise<number> {
  if (verdicts.length === 0) return 0
  // Sliced by the locks each slice takes, one per activation: each takes a place in PostgreSQL's
  // shared lock table (sized for 64 per connection by default, shared by every connection), and a
  // batch of results can name 10,000 devices of up to 100 activations each.
  const { rows } = await db.pool.query<{ id: string, n: number }>(
    'SELECT device_id::text AS id, count(*)::int AS n FROM device_activation WHERE device_id = ANY($1::bigint[]) GROUP BY device_id',
    [verdicts.map((verdict) => verdict.deviceId)])
  const activations = new Map(rows.map((row) => [row.id, row.n]))
  let removed = 0
  let slice: typeof verdicts = []
  let locks = 0
  const removeSlice = async () => {
    const ids = slice.map((verdict) => BigInt(verdict.deviceId))
    const ats = slice.map((verdict) => verdict.at)
    removed += await deviceTransaction(db, async (tx) => await deleteInLockOrder(tx, ids, async () => await tx.$executeRaw`
      DELETE FROM device AS d USING unnest(${ids}::bigint[], ${ats}::timestamptz[]) AS r(device_id, at)
       WHERE d.id = r.device_id AND d.last_registered_at <= r.at`))
    slice = []
    locks = 0
  }
  for (const verdict of verdicts) {
    const n = activations.get(verdict.deviceId) ?? 0
    if (slice.length > 0 && locks + n > LOCKS_PER_TRANSACTION) await removeSlice()
    slice.push(verdict)
    locks += n
  }
  await removeSlice()
  return removed
}

/** Activation locks one transaction of removeInvalidRegistrations takes at most (but for one device of more). */
const LOCKS_PER_TRANSACTION = 256

/**
 * Runs `remove` (which deletes some of the devices `ids`) after taking the locks a registration
 * takes, in its order. A registration that moves an activation away from one of them takes the
 * activation's lock, then its row, then the device's; a bare DELETE locked the device, then
 * (cascading) the activation's row: the two deadlocked, and PostgreSQL failed one of them (a
 * remove racing a token rotation answered 503 about one time in 25). So the activations' locks
 * come first, as in every registration; then the devices' rows, which a registration of the same
 * token takes first too, and which no activation joins while they are held; then the locks of any
 * activation that joined before them. A conflict left over (such an activation moved away at that
 * moment) fails the transaction, for the caller to try again.
 */
async function deleteInLockOrder (tx: Tx, ids: bigint[], remove: () => Promise<number>): Promise<number> {
  if (ids.length === 0) return 0
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const activations = async () => (await tx.deviceActivation.findMany({ where: { deviceId: { in: sorted } }, select: { activationId: true } }))
    .map((row) => row.activationId)
  const seen = await activations()
  await lockActivations(tx, seen)
  await tx.$queryRaw`SELECT id FROM device WHERE id = ANY(${sorted}::bigint[]) ORDER BY id FOR UPDATE`
  await lockActivations(tx, (await activations()).filter((id) => !seen.includes(id)))
  return await remove()
}

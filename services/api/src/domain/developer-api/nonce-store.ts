import type { Db } from '@beacon/db'

/**
 * Records the first use of `nonce` under `key`; false when it was used before and is still within
 * its lifetime (a replay). One statement, decided by the primary key, so two api instances racing
 * with the same request cannot both win.
 *
 * A row that has expired but was not purged yet counts as unused (DO UPDATE … WHERE expired): a
 * replay of the request that left it would fail the date window anyway, so the purge interval
 * never changes which requests are accepted. `now` must be the clock the date window was checked
 * against, so that an instance accepting a date by its clock also sees the row alive by it.
 */
export async function claimNonce (db: Db, key: string, nonce: string, expiresAt: Date, now: Date): Promise<boolean> {
  // Every signed request runs this: a named statement through the pool (through Prisma's
  // $executeRaw it cost ~7 times the CPU, ~0.4 ms a request).
  const { rowCount } = await db.pool.query({
    name: 'beacon-claim-nonce',
    text: `INSERT INTO signed_nonce (developer_key, nonce, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (developer_key, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE signed_nonce.expires_at < $4`,
    values: [key, nonce, expiresAt, now]
  })
  return rowCount === 1
}

/**
 * Deletes nonces that expired before `before`. Only keeps the table small: claimNonce treats an
 * expired row as absent, so purging late is harmless. Purging early is not (an instance whose clock
 * is behind could still accept the replay), hence callers pass their clock minus a margin.
 */
export async function purgeExpiredNonces (db: Db, before: Date): Promise<number> {
  return await db.$executeRaw`DELETE FROM signed_nonce WHERE expires_at < ${before}`
}

import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'

/**
 * What the test database's sessions wait on, oldest statement first (`pg_stat_activity`'s
 * wait_event of those waiting for a lock: `advisory`, `transactionid`, `tuple`, …): how a test
 * forces a race into one interleaving and sees who waits for whom.
 */
export async function lockWaits (app: FastifyInstance): Promise<string[]> {
  const { rows } = await app.db.pool.query<{ event: string }>(
    "SELECT wait_event AS event FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' ORDER BY query_start")
  return rows.map((row) => row.event)
}

/** Opens a transaction that locks the rows `lockStatement` selects FOR UPDATE; `release` commits it. */
export async function holdRows (t: Test, app: FastifyInstance, lockStatement: string): Promise<{ release: () => Promise<void> }> {
  const holder = await app.db.pool.connect()
  t.teardown(() => holder.release())
  await holder.query('BEGIN')
  await holder.query(lockStatement)
  return { release: async () => { await holder.query('COMMIT') } }
}

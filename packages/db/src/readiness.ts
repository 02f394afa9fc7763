import type { QueryConfig } from 'pg'

/**
 * The `database` part of a readiness probe: `SELECT 1` through the service's own pool, bounded on
 * the client side. A pooled connection whose peer vanished (a partition, a failover) would leave
 * the query unanswered until the kernel gives up (~15 min); node-postgres's read timeout fails it
 * and discards that connection, so the next probe gets a fresh one and sees the database as it is.
 */
export function databaseReadiness (pool: { query (config: QueryConfig): Promise<unknown> }, timeoutMs = 2000): { part: 'database', check: () => Promise<unknown> } {
  // query_timeout is node-postgres's per-query read timeout (its typings list it for clients only).
  const statement = { text: 'SELECT 1', query_timeout: timeoutMs } as QueryConfig
  return { part: 'database', check: () => pool.query(statement) }
}

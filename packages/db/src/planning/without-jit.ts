import type pg from 'pg'
import { queryWithLocalSettings } from './local-settings.js'

/**
 * Runs one statement with PostgreSQL's JIT compilation off, in a transaction of its own
 * (queryWithLocalSettings). PostgreSQL compiles a statement when its plan's estimated cost passes
 * jit_above_cost (100,000 by default), and a CASE's sub-select that never runs counts toward it:
 * the console's campaign progress, about 50 ms of counting at 1,000,000 users, spent another
 * 165 ms compiling on every poll. For reads whose cost is in rows counted, not in expressions.
 */
export async function queryWithoutJit<R extends pg.QueryResultRow> (pool: pg.Pool, query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
  return await queryWithLocalSettings<R>(pool, 'SET LOCAL jit = off', query)
}

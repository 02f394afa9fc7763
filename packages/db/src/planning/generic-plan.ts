import type pg from 'pg'
import { queryWithLocalSettings } from './local-settings.js'

/**
 * Runs a prepared (named) statement with its generic plan, in a transaction of its own
 * (queryWithLocalSettings, plan_cache_mode). PostgreSQL plans a prepared statement anew for each
 * run (a custom plan) for as long as its generic plan looks costlier than the custom ones so far:
 * a statement over arrays of a few entries, whose generic plan assumes more, was then planned
 * every time, on some connections and not others. The result recorder's small batches were: 1,151
 * plans in 5,500 single messages, at ~470 µs of PostgreSQL's CPU each, more than the runs
 * themselves. The setting is the transaction's, not the session's: on a pooled connection it
 * would also hold the statements that are meant to be planned with their values, and a
 * transaction pooler would hand it to other clients.
 */
export async function queryGenericPlan<R extends pg.QueryResultRow> (pool: pg.Pool, query: pg.QueryConfig & { name: string }): Promise<pg.QueryResult<R>> {
  return await queryWithLocalSettings<R>(pool, 'SET LOCAL plan_cache_mode = force_generic_plan', query)
}

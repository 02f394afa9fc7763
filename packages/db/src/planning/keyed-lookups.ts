import type pg from 'pg'
import { queryRecentlyWritten } from './recently-written.js'

/**
 * Runs one statement that reads a bounded set of rows by their keys (a campaign chunk's users,
 * their activations and devices, the campaign's claims on those devices), planned as the
 * recorder's batches are: random_page_cost 1.1 in a transaction of its own (queryRecentlyWritten).
 * At PostgreSQL's default (4: a read from disk) a chunk of 1,000 users was planned as sequential
 * scans of every activation of the application and of every claim of the campaign so far, hashed
 * for each chunk: 105 ms a chunk at 50,000 claims, 10 ms through the indexes, and growing with
 * the campaign. The few thousand pages such a statement reads by key are those the campaign is
 * reading anyway.
 */
export async function queryKeyedLookups<R extends pg.QueryResultRow> (pool: pg.Pool, query: Omit<pg.QueryConfig, 'name'>): Promise<pg.QueryResult<R>> {
  return await queryRecentlyWritten<R>(pool, query)
}

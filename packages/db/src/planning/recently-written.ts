import type pg from 'pg'
import { queryWithLocalSettings } from './local-settings.js'

/**
 * A random page read costs about a sequential one when the page was written moments ago (it is
 * in shared buffers): what a result batch updates are the claims its dispatcher inserted
 * seconds before. With PostgreSQL's default (4: a read from disk), a batch of 250 outcomes
 * on a table of fewer than ~100,000 rows — a new database's first campaigns — was planned as a
 * hash join over a sequential scan of the whole table: 5.2 million rows read for a campaign of
 * 100,000 devices (190 scans), against 107,000 at this setting.
 */
const RANDOM_PAGE_COST = '1.1'

/**
 * Runs one statement of rows written moments ago, planned with random_page_cost at RANDOM_PAGE_COST,
 * in a transaction of its own (queryWithLocalSettings).
 */
export async function queryRecentlyWritten<R extends pg.QueryResultRow> (pool: pg.Pool, query: Omit<pg.QueryConfig, 'name'>): Promise<pg.QueryResult<R>> {
  // A named (prepared) statement keeps the plan of its first runs, whatever this setting is then.
  if ('name' in query) throw new TypeError('queryRecentlyWritten plans each statement anew: a named statement would keep its first plan')
  return await queryWithLocalSettings<R>(pool, `SET LOCAL random_page_cost = ${RANDOM_PAGE_COST}`, query)
}

import type pg from 'pg'

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
 * Runs one statement of rows written moments ago, planned with random_page_cost at RANDOM_PAGE_COST:
 * in a transaction of its own (SET LOCAL, so neither the pooled connection nor a transaction
 * pooler in front of PostgreSQL keeps the setting). All or nothing, as the statement alone was.
 */
export async function queryRecentlyWritten<R extends pg.QueryResultRow> (pool: pg.Pool, query: Omit<pg.QueryConfig, 'name'>): Promise<pg.QueryResult<R>> {
  // A named (prepared) statement keeps the plan of its first runs, whatever this setting is then.
  if ('name' in query) throw new TypeError('queryRecentlyWritten plans each statement anew: a named statement would keep its first plan')
  const client = await pool.connect()
  let broken: Error | undefined
  // A connection that breaks between the statements reports here, not as an uncaught error.
  const lost = (error: Error) => { broken = error }
  client.on('error', lost)
  try {
    await client.query(`BEGIN; SET LOCAL random_page_cost = ${RANDOM_PAGE_COST}`)
    const result = await client.query<R>(query)
    await client.query('COMMIT')
    return result
  } catch (error) {
    // A connection that broke between the statements: its own error (ECONNRESET, …) says more,
    // and is what callers recognise as the database's unavailability (isPoolFailure).
    const failure = broken ?? error
    await client.query('ROLLBACK').catch((rollback: unknown) => { broken ??= rollback as Error })
    throw failure
  } finally {
    client.off('error', lost)
    client.release(broken)
  }
}

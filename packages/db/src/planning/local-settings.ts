import type pg from 'pg'

/**
 * Runs one statement in a transaction of its own after `settings` (`SET LOCAL …`, ours only, never
 * a caller's value): neither the pooled connection nor a transaction pooler in front of PostgreSQL
 * keeps them. All or nothing, as the statement alone was.
 */
export async function queryWithLocalSettings<R extends pg.QueryResultRow> (pool: pg.Pool, settings: string, query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
  const client = await pool.connect()
  let broken: Error | undefined
  // A connection that breaks between the statements reports here, not as an uncaught error.
  const lost = (error: Error) => { broken = error }
  client.on('error', lost)
  try {
    await client.query(`BEGIN; ${settings}`)
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

// Test databases for @beacon/db. The test kit is imported by path: @beacon/testkit depends on
// @beacon/db, so @beacon/db does not list it (see the report on the dependency cycle).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { adminDatabaseUrl, databaseUrl, testRunId } from '../../../testkit/src/database.js'
import { createTestRole, type TestRole } from '../../../testkit/src/roles.js'

export { adminDatabaseUrl, createOutdatedTestDatabase, createTestDatabase, type TestDatabase } from '../../../testkit/src/database.js'
export { createTestRole } from '../../../testkit/src/roles.js'

export interface EmptyDatabase {
  name: string
  url: string
  drop (): Promise<void>
}

export async function withClient<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try { return await fn(client) } finally { await client.end() }
}

/**
 * A database with nothing in it (no migrations), named like the test kit's so that the end-of-run
 * cleanup drops it if a test crashes before its own `drop()`.
 */
export async function createEmptyDatabase (): Promise<EmptyDatabase> {
  const name = `beacon_t_${testRunId}_${randomBytes(4).toString('hex')}`.toLowerCase()
  await withClient(adminDatabaseUrl, (client) => client.query(`CREATE DATABASE "${name}"`))
  return {
    name,
    url: databaseUrl(name),
    drop: () => withClient(adminDatabaseUrl, async (client) => { await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) })
  }
}

/** Server processes connected to `name`, the caller's own excluded (it is on the admin database). */
export async function connectionsTo (name: string): Promise<number> {
  return withClient(adminDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
    return rows[0]?.n ?? 0
  })
}

/**
 * A client connected to `database` and a role of the test's own (for grants and planted objects),
 * for the test `t`: the client ends, then the database and the role are dropped, at its teardown.
 */
export async function clientWithRole (t: Test, database: { url: string, drop (): Promise<void> }): Promise<{ client: pg.Client, role: TestRole }> {
  const role = await createTestRole()
  t.teardown(async () => {
    await database.drop()
    await role.drop()
  })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  return { client, role }
}

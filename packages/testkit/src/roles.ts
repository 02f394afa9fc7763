import { randomBytes } from 'node:crypto'
import { dropEach, testRunId, withAdmin } from './database.js'

// Roles belong to the server, not to a database: a test that needs a role with fewer privileges
// than the owner's creates one named for its run, and the end of the run drops what is left.

export interface TestRole {
  name: string
  /** Drops the role; the databases it holds privileges in must be dropped first. */
  drop (): Promise<void>
}

/** A role without login and without privileges; a test grants what it needs and `SET ROLE`s to it. */
export async function createTestRole (): Promise<TestRole> {
  const name = `beacon_t_${testRunId}_${randomBytes(4).toString('hex')}`.toLowerCase()
  await withAdmin((client) => client.query(`CREATE ROLE "${name}" NOLOGIN`))
  return { name, drop: () => withAdmin(async (client) => { await client.query(`DROP ROLE IF EXISTS "${name}"`) }) }
}

/** Drops every role of run `runId` (after its databases: a role with privileges in one cannot be dropped). */
export async function dropRunRoles (runId = testRunId): Promise<number> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE 'beacon\\_t\\_' || $1 || '\\_%'", [runId.toLowerCase()])
    await dropEach(rows.map((row) => row.rolname), (rolname) => client.query(`DROP ROLE IF EXISTS "${rolname}"`), 'role')
    return rows.length
  })
}

import type { Pool } from 'pg'

export interface SchemaCreators {
  /** A schema on Beacon's search path (`current_schemas(false)`: pg_catalog and pg_temp unless named). */
  schema: string
  /** Roles granted CREATE on it, `PUBLIC` for every role; neither its owner nor Beacon's own. */
  roles: string[]
}

// Built-ins and operators named with pg_catalog: this very statement must not be the one a
// planted object runs in (an unqualified unnest of a name[] would prefer a planted unnest(name[])).
const SCHEMA_CREATORS = `
  SELECT n.nspname::text AS schema,
         pg_catalog.array_agg(DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0::oid THEN 'PUBLIC' ELSE r.rolname::text END) AS roles
    FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(name, position)
    JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) p.name
    JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) a
      ON a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::text
     AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
     AND a.grantee OPERATOR(pg_catalog.<>) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) CURRENT_USER)
    LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
   GROUP BY n.nspname, p.position
   ORDER BY p.position`

/**
 * The schemas on Beacon's search path in which other roles may create objects, with those roles.
 * Beacon's statements call built-ins such as `unnest` without `pg_catalog.`, and PostgreSQL prefers
 * a function of exactly the arguments' types wherever it is on the search path over pg_catalog's
 * polymorphic one: a role that may create in any schema of the path can plant one and have it run
 * as Beacon's role (README, "Database migrations"). PostgreSQL 15 and later grant it to nobody in
 * `public`; a database created by an earlier release grants it to PUBLIC. Read from each schema's
 * ACL (its default when it has none), not through `has_schema_privilege`, so that PUBLIC is named
 * once instead of as every role. Empty: nobody else may.
 */
export async function querySchemaCreators (pool: Pick<Pool, 'query'>): Promise<SchemaCreators[]> {
  const { rows } = await pool.query<{ schema: string, roles: string[] }>(SCHEMA_CREATORS)
  return rows.map((row) => ({ schema: row.schema, roles: [...row.roles].sort() }))
}

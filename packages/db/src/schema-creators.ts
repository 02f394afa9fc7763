import type { Pool } from 'pg'

export interface SchemaCreators {
  /** The schema Beacon's unqualified names resolve to (the session's `current_schema()`). */
  schema: string
  /** Roles granted CREATE on it, `PUBLIC` for every role; neither its owner nor Beacon's own. */
  roles: string[]
}

/**
 * Who else may create objects in Beacon's schema. Beacon's statements call built-ins such as
 * `unnest` without `pg_catalog.`, and PostgreSQL prefers a function of exactly the arguments'
 * types wherever it is on the search path over pg_catalog's polymorphic one: a role that may
 * create in the schema can plant one and have it run as Beacon's role (README, "Database
 * migrations"). PostgreSQL 15 and later grant it to nobody in `public`; a database created by an
 * earlier release grants it to PUBLIC. Read from the schema's ACL itself (its default when it has
 * none), not through `has_schema_privilege`, so that PUBLIC is named once instead of as every role.
 * Built-ins and operators are named with pg_catalog: this very statement must not be the one a
 * planted object runs in.
 */
export async function querySchemaCreators (pool: Pick<Pool, 'query'>): Promise<SchemaCreators | null> {
  const { rows } = await pool.query<{ schema: string, roles: string[] }>(`
    SELECT n.nspname::text AS schema,
           pg_catalog.array_remove(pg_catalog.array_agg(DISTINCT
             CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0::oid THEN 'PUBLIC' ELSE r.rolname::text END), NULL) AS roles
      FROM pg_catalog.pg_namespace n
      LEFT JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) a
             ON a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::text
            AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
            AND a.grantee OPERATOR(pg_catalog.<>) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) CURRENT_USER)
      LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
     WHERE n.nspname OPERATOR(pg_catalog.=) pg_catalog.current_schema()
     GROUP BY n.nspname`)
  const row = rows[0]
  if (row === undefined) return null
  return { schema: row.schema, roles: [...row.roles].sort() }
}

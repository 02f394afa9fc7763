import type { Pool } from 'pg'

export interface SchemaCreators {
  /** A schema on Beacon's search path (`current_schemas(false)`: pg_catalog and pg_temp unless named). */
  schema: string
  /** Every role may create there (a grant to PUBLIC). */
  public: boolean
  /** Roles granted CREATE on it, by name; neither its owner nor Beacon's own. */
  roles: string[]
  /** Its owner, unless Beacon's role is the owner or its only member (the owner's members create there too). */
  owner: string | null
}

// Types, functions and operators named with pg_catalog: this very statement must not be the one
// a planted object runs in (an unqualified unnest of a name[] would prefer a planted
// unnest(name[]), an unqualified ::text a planted domain named text with a check of its own).
const SCHEMA_CREATORS = `
  SELECT n.nspname::pg_catalog.text AS schema,
         COALESCE(pg_catalog.bool_or(a.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid), false) AS public,
         pg_catalog.array_remove(pg_catalog.array_agg(DISTINCT r.rolname::pg_catalog.text), NULL) AS roles,
         CASE WHEN n.nspowner OPERATOR(pg_catalog.=) me.oid THEN NULL
              WHEN pg_catalog.pg_has_role(n.nspowner, 'USAGE'::pg_catalog.text) AND NOT EXISTS (
                SELECT 1 FROM pg_catalog.pg_auth_members m
                 WHERE m.roleid OPERATOR(pg_catalog.=) n.nspowner AND m.member OPERATOR(pg_catalog.<>) me.oid) THEN NULL
              ELSE pg_catalog.pg_get_userbyid(n.nspowner)::pg_catalog.text END AS owner
    FROM (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) CURRENT_USER) AS me
    CROSS JOIN pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(name, position)
    JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) p.name
    LEFT JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n'::pg_catalog."char", n.nspowner))) a
      ON a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text
     AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
     AND a.grantee OPERATOR(pg_catalog.<>) me.oid
    LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
   GROUP BY n.nspname, n.nspowner, me.oid, p.position
   ORDER BY p.position`

/**
 * The schemas on Beacon's search path in which other roles may create objects, with those roles.
 * Beacon's statements call built-ins such as `unnest` without `pg_catalog.`, and PostgreSQL prefers
 * a function of exactly the arguments' types wherever it is on the search path over pg_catalog's
 * polymorphic one: a role that may create in any schema of the path can plant one and have it run
 * as Beacon's role (README, "Database migrations"). PostgreSQL 15 and later grant it to nobody in
 * `public`; a database created by an earlier release grants it to PUBLIC. Read from each schema's
 * ACL (its default when it has none), not through `has_schema_privilege`, so that PUBLIC is said
 * once instead of as every role. A schema owned by another role than Beacon's (another
 * application's, one created by someone else before the migrations, a group with other members
 * than Beacon's role: direct members, a group inside the group is not followed) is named with
 * its owner. Empty: nobody else may.
 */
export async function querySchemaCreators (pool: Pick<Pool, 'query'>): Promise<SchemaCreators[]> {
  const { rows } = await pool.query<{ schema: string, public: boolean, roles: string[], owner: string | null }>(SCHEMA_CREATORS)
  return rows.filter((row) => row.public || row.roles.length > 0 || row.owner !== null)
    .map((row) => ({ schema: row.schema, public: row.public, roles: [...row.roles].sort(), owner: row.owner }))
}

import type pg from 'pg'
import { DbError, DbErrorCode } from './errors.js'

/**
 * Prisma's `schema` parameter of a PostgreSQL URL (`...?schema=beacon`): the schema Beacon keeps
 * its tables in, `public` without one. Only plain names, so that one spelling means the same
 * schema to PostgreSQL's search path and to Prisma's quoted names; none of PostgreSQL's own.
 */
export const DATABASE_SCHEMA_RULE = 'DATABASE_URL\'s schema parameter must be a schema name: a letter or _, then letters, digits or _ (at most 63), not starting with pg_'

const SCHEMA_NAME = /^(?!pg_)[A-Za-z_][A-Za-z0-9_]{0,62}$/i

export interface Connection {
  /** The schema Beacon's tables are in (Prisma's names are qualified with it). */
  schema: string
  /** Whether DATABASE_URL named it (`?schema=`): each connection then sets it as its search path (`useSchema`). */
  named: boolean
}

/**
 * The schema of a DATABASE_URL, which may name it as Prisma's URLs do (`?schema=beacon`). The URL
 * itself goes to node-postgres untouched (`{ connectionString: url }`), which ignores the parameter (it
 * did so before Beacon read it, leaving Beacon's statements in public while nothing said so); the
 * schema becomes Prisma's and, through `useSchema` on every new connection, the search path.
 * Read from the query string alone, as node-postgres reads its parameters (percent escapes
 * decoded): nothing else of the URL is parsed here, so nothing else can be read differently.
 */
export function connectionOf (url: string): Connection {
  const query = url.indexOf('?')
  const values = query === -1 ? [] : new URLSearchParams(url.slice(query + 1)).getAll('schema')
  if (values.length === 0) return { schema: 'public', named: false }
  // node-postgres keeps the last of a repeated parameter; two different ones are refused instead.
  const schema = values.at(-1)!
  if (!values.every((value) => value === schema) || !SCHEMA_NAME.test(schema)) throw new DbError(DbErrorCode.SCHEMA_INVALID, DATABASE_SCHEMA_RULE)
  return { schema, named: true }
}

/** Sets a new connection's search path to the named schema (a statement queued before any other). */
export function useSchema (client: Pick<pg.Client, 'query'>, schema: string): Promise<unknown> {
  return client.query(`SET search_path TO "${schema}"`)
}

/** DATABASE_SCHEMA_RULE when the URL's schema parameter breaks it (for the services' settings check). */
export function databaseUrlProblem (url: string): string | null {
  try {
    connectionOf(url)
    return null
  } catch (error) {
    if (error instanceof DbError) return error.message
    throw error
  }
}

/**
 * Refuses a connection whose search path starts at another schema than Prisma's (a schema named
 * after the role, "$user", ahead of public; a search path set on the role or in the URL's options
 * without `?schema=`). Tables are created in that first schema, `_prisma_migrations` included:
 * the migrations would build a second Beacon there, which its own statements would then read and
 * write while its Prisma queries stay on the first.
 */
export async function checkSchemaInUse (client: Pick<pg.Pool, 'query'>, schema: string): Promise<void> {
  const { rows: [row] } = await client.query<{ schema: string | null }>('SELECT pg_catalog.current_schema() AS schema')
  if (row?.schema === schema) return
  throw new DbError(DbErrorCode.SCHEMA_MISMATCH, row?.schema == null
    ? `no schema of the search path exists: Beacon's tables are to be in schema "${schema}" (DATABASE_URL's schema parameter, or public)`
    : `the connection's search path starts at schema "${row.schema}", where Beacon's own statements would create (and look first for) ` +
      `its tables, while its Prisma queries use "${schema}": name the schema that holds Beacon's tables in DATABASE_URL ` +
      `(?schema=${schema} or ?schema=${row.schema})`)
}

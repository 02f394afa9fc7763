import type pg from 'pg'
import { parse } from 'pg-connection-string'
import { DbError, DbErrorCode } from './errors.js'

/**
 * Prisma's `schema` parameter of a PostgreSQL URL (`...?schema=beacon`): the schema Beacon keeps
 * its tables in, `public` without one. Only plain names, so that one spelling means the same
 * schema to PostgreSQL's search path and to Prisma's quoted names.
 */
export const DATABASE_SCHEMA_RULE = 'DATABASE_URL\'s schema parameter must be a schema name: a letter or _, then letters, digits or _ (at most 63)'

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export interface Connection {
  /** What node-postgres connects with: the search path set to the schema when the URL names one. */
  config: pg.ClientConfig
  /** The schema Beacon's tables are in (Prisma's names are qualified with it). */
  schema: string
  /** Whether DATABASE_URL named it (`?schema=`). */
  named: boolean
}

/**
 * node-postgres settings for a DATABASE_URL, which may name the schema as Prisma's URLs do
 * (`?schema=beacon`): node-postgres would ignore the parameter, leaving Beacon's statements in the
 * search path's schema while Prisma's names `public`. Named, the schema becomes the connections'
 * search path (added to the server `options` the URL may carry) and Prisma's schema. The URL is
 * read by node-postgres's own parser, as it reads it when given the string (raw `%`, Unix-socket
 * hosts, parameters spelled with escapes), and handed over parsed: never spelled again.
 */
export function connectionOf (url: string): Connection {
  const untouched = { config: { connectionString: url }, schema: 'public', named: false }
  let parsed: Record<string, unknown>
  try {
    parsed = parse(url) as Record<string, unknown>
  } catch {
    // node-postgres refuses it the same way when it connects (its own error, the URL redacted).
    return untouched
  }
  const schema = parsed.schema
  // Given the string, node-postgres parses it itself, exactly as before.
  if (schema === undefined) return untouched
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) throw new DbError(DbErrorCode.SCHEMA_INVALID, DATABASE_SCHEMA_RULE)
  const { schema: _named, ...rest } = parsed
  const options = typeof rest.options === 'string' && rest.options !== '' ? `${rest.options} ` : ''
  return { config: { ...rest, options: `${options}-c search_path="${schema}"` } as pg.ClientConfig, schema, named: true }
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

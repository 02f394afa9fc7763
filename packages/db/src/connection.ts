import { DATABASE_SCHEMA_RULE, databaseUrlSchema } from '@beacon/config'
import type pg from 'pg'
import { DbError, DbErrorCode } from './errors.js'

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
 * search path (through the server's `options`, added to any the URL carries: the URL's own would
 * override a separate setting) and Prisma's schema.
 */
export function connectionOf (url: string): Connection {
  const split = databaseUrlSchema(url)
  if (split === null) throw new DbError(DbErrorCode.SCHEMA_INVALID, DATABASE_SCHEMA_RULE)
  if (!split.named) return { config: { connectionString: url }, schema: 'public', named: false }
  const parsed = new URL(split.url)
  const options = parsed.searchParams.get('options')
  parsed.searchParams.set('options', `${options === null ? '' : `${options} `}-c search_path="${split.schema}"`)
  return { config: { connectionString: parsed.toString() }, schema: split.schema, named: true }
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

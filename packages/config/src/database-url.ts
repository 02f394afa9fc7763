/**
 * Prisma's `schema` parameter of a PostgreSQL URL (`...?schema=beacon`): the schema Beacon keeps
 * its tables in, `public` without one. Only plain names, so that one spelling means the same
 * schema to PostgreSQL's search path and to Prisma's quoted names.
 */
export const DATABASE_SCHEMA_RULE = 'DATABASE_URL\'s schema parameter must be a schema name: a letter or _, then letters, digits or _ (at most 63)'

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export interface DatabaseUrlSchema {
  /** The schema named by the parameter, or `public`. */
  schema: string
  /** Whether the URL names it (false: PostgreSQL's own search path decides, `public` expected). */
  named: boolean
  /** The URL without the parameter (node-postgres would pass it on to the server). */
  url: string
}

/** The URL's schema parameter, taken out of it; null when it breaks DATABASE_SCHEMA_RULE (or comes twice). */
export function databaseUrlSchema (url: string): DatabaseUrlSchema | null {
  // Unchanged unless the parameter is there: the URL parser would respell other connection strings.
  if (!/[?&]schema=/.test(url)) return { schema: 'public', named: false, url }
  let parsed: URL
  try { parsed = new URL(url) } catch { return null }
  const values = parsed.searchParams.getAll('schema')
  if (values.length !== 1 || !SCHEMA_NAME.test(values[0]!)) return null
  parsed.searchParams.delete('schema')
  return { schema: values[0]!, named: true, url: parsed.toString() }
}

// The SQL that takes a database (or nothing) to a Prisma schema, computed by Prisma's own schema
// engine: the check that the hand-written migrations in prisma/migrations produce what
// prisma/schema.prisma describes, and the draft of the next migration when they don't.
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DiffTarget } from '@prisma/schema-engine-wasm'
import { connectSchemaEngine } from './schema-engine.js'

/** The repository's prisma/schema.prisma. */
export const defaultSchemaPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prisma', 'schema.prisma')

export interface PrismaSchema {
  /** Shown in the engine's error messages. */
  path: string
  content: string
}

export interface SchemaDiff {
  /** True when the source already matches the schema. */
  empty: boolean
  /** An executable migration script (a comment saying so when empty). */
  sql: string
}

export async function readSchema (path = defaultSchemaPath): Promise<PrismaSchema> {
  return { path, content: await readFile(path, 'utf8') }
}

const NO_FILTERS = { externalTables: [], externalEnums: [] }
// With `exitCode: true` the engine answers 2 for a non-empty diff, the way `prisma migrate diff
// --exit-code` does: no need to recognise the "empty migration" comment.
const DIFF_NOT_EMPTY = 2

/**
 * Diffs to `schema` from the database at `url` (`from: 'database'`) or from nothing
 * (`from: 'empty'`; the engine still connects to `url` to learn the server version).
 */
export async function diffToSchema (url: string, schema: PrismaSchema, from: 'database' | 'empty'): Promise<SchemaDiff> {
  const { engine, close } = await connectSchemaEngine(url, schema)
  try {
    const files = [schema]
    // A "schemaDatasource" target is the live database the engine is connected to.
    const source: DiffTarget = from === 'empty' ? { tag: 'empty' } : { tag: 'schemaDatasource', files, configDir: dirname(schema.path) }
    const result = await engine.diff({
      from: source,
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTERS
    })
    return { empty: result.exitCode !== DIFF_NOT_EMPTY, sql: result.stdout ?? '' }
  } finally {
    await close()
  }
}

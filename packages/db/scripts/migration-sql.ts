// `pnpm --filter @beacon/db migration:sql [--from-empty] [--schema <file>] [--exit-code]`
//
// Prints the SQL the next migration must contain: the difference between the database that
// prisma/migrations produce and prisma/schema.prisma. The migrations are applied by our own runner
// to a scratch database (created and dropped on the server of TEST_DATABASE_URL, default
// postgresql://postgres@127.0.0.1:5432/postgres), exactly as production applies them.
//   --from-empty  the whole schema from nothing instead (no migrations involved)
//   --schema      diff to another schema file than prisma/schema.prisma
//   --exit-code   exit 2 when the SQL is not empty (CI: "the migrations are up to date")
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { applyMigrations } from '../src/migrate.js'
import { diffToSchema, readSchema, type SchemaDiff } from './schema-diff.js'

const { values: options } = parseArgs({
  options: {
    'from-empty': { type: 'boolean', default: false },
    schema: { type: 'string' },
    'exit-code': { type: 'boolean', default: false }
  }
})

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

async function onServer (sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try { await client.query(sql) } finally { await client.end() }
}

// pnpm runs scripts in packages/db; INIT_CWD is where the command was typed.
const schemaPath = options.schema === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), options.schema)

async function diffFromMigrations (): Promise<SchemaDiff> {
  const schema = await readSchema(schemaPath)
  const name = `beacon_migration_sql_${randomBytes(4).toString('hex')}`
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  await onServer(`CREATE DATABASE "${name}"`)
  try {
    await applyMigrations(url.toString())
    return await diffToSchema(url.toString(), schema, 'database')
  } finally {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  }
}

async function diffFromEmpty (): Promise<SchemaDiff> {
  const schema = await readSchema(schemaPath)
  return diffToSchema(serverUrl, schema, 'empty')
}

try {
  const diff = options['from-empty'] ? await diffFromEmpty() : await diffFromMigrations()
  process.stdout.write(diff.sql)
  process.exitCode = options['exit-code'] && !diff.empty ? 2 : 0
} catch (error) {
  console.error(`migration:sql failed: ${(error as Error).message}`)
  process.exitCode = 1
}

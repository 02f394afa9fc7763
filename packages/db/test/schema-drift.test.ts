// The hand-written SQL migrations must produce exactly what prisma/schema.prisma describes. Prisma's
// schema engine (WASM build) diffs a freshly migrated database against the schema; a non-empty diff
// is the SQL the next migration is missing.
import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { defaultSchemaPath, diffToSchema, readSchema, type PrismaSchema } from '../scripts/schema-diff.js'
import { createTestDatabase, withClient } from './helpers/databases.js'

/** The schema with one more optional column in the Application model. */
function withExtraColumn (schema: PrismaSchema): PrismaSchema {
  const model = 'model Application {\n'
  if (!schema.content.includes(model)) throw new Error('prisma/schema.prisma has no Application model: update this test')
  return { ...schema, content: schema.content.replace(model, `${model}  driftProbe String? @map("drift_probe")\n`) }
}

// guarantee: schema-drift
t.test('the migrated database matches prisma/schema.prisma', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const diff = await diffToSchema(db.url, await readSchema(), 'database')
  // On failure, "found" is the SQL the next migration needs (`pnpm --filter @beacon/db migration:sql`).
  t.equal(diff.sql.trim(), '-- This is an empty migration.', 'the migrations produce exactly the schema')
  t.equal(diff.empty, true)
})

// guarantee: schema-drift
t.test('a schema change without its migration is reported as the SQL it needs', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const diff = await diffToSchema(db.url, withExtraColumn(await readSchema()), 'database')
  t.equal(diff.empty, false)
  t.match(diff.sql, /ALTER TABLE "application" ADD COLUMN\s+"drift_probe" TEXT;/)
})

t.test('a migration that misses part of the schema is reported too', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  // As if a hand-written migration had forgotten one index and one default.
  await withClient(db.url, async (client) => {
    await client.query('DROP INDEX "device_activation_device_id_idx"')
    await client.query('ALTER TABLE "application" ALTER COLUMN "credentials_version" DROP DEFAULT')
  })
  const diff = await diffToSchema(db.url, await readSchema(), 'database')
  t.equal(diff.empty, false)
  t.match(diff.sql, /CREATE INDEX "device_activation_device_id_idx" ON "device_activation"\("device_id"\)/)
  t.match(diff.sql, /ALTER COLUMN "credentials_version" SET DEFAULT 0/)
})

t.test('from empty, the diff creates every table the migrations create', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const diff = await diffToSchema(db.url, await readSchema(), 'empty')
  t.equal(diff.empty, false)
  const created = [...diff.sql.matchAll(/CREATE TABLE "([^"]+)"/g)].map((m) => m[1]).sort()
  const migrated = await withClient(db.url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1"
    )
    return rows.map((r) => r.name)
  })
  t.ok(migrated.length > 0)
  t.same(created, migrated)
})

t.test('the migration:sql tool prints the missing SQL and exits 2 with --exit-code', async (t) => {
  const dir = t.testdir()
  const schemaPath = join(dir, 'schema.prisma')
  await writeFile(schemaPath, withExtraColumn(await readSchema(defaultSchemaPath)).content)
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import=tsx', '--conditions=beacon-source', 'scripts/migration-sql.ts', ...args], { encoding: 'utf8' })

  const upToDate = run('--exit-code')
  t.equal(upToDate.status, 0, upToDate.stderr)
  t.equal(upToDate.stdout.trim(), '-- This is an empty migration.')

  const drifted = run('--exit-code', '--schema', schemaPath)
  t.equal(drifted.status, 2, drifted.stderr)
  t.match(drifted.stdout, /ADD COLUMN\s+"drift_probe" TEXT/)

  const missing = run('--schema', join(dir, 'missing.prisma'))
  t.equal(missing.status, 1)
  t.match(missing.stderr, /migration:sql failed: ENOENT/)
})

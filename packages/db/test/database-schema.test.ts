import t from 'tap'
import { createDb } from '../src/client.js'
import { checkSchemaInUse, connectionOf } from '../src/connection.js'
import { DbError, DbErrorCode } from '../src/errors.js'
import { applyMigrations } from '../src/migrate.js'
import { createEmptyDatabase, withClient } from './helpers/databases.js'

const tablesIn = (url: string, schema: string) => withClient(url, async (client) =>
  (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [schema])).rows[0]!.n)

// guarantee: database-url-schema
t.test('DATABASE_URL\'s ?schema= keeps every table, Prisma\'s queries and Beacon\'s own statements in that schema', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  const url = `${database.url}?schema=beacon_app`

  const applied = await applyMigrations(url)
  t.ok(applied.length > 10, 'the migrations ran, creating the schema')
  t.ok(await tablesIn(database.url, 'beacon_app') > 10, 'the tables are in beacon_app')
  t.equal(await tablesIn(database.url, 'public'), 0, 'none in public')
  t.same(await applyMigrations(url), [], 'and are recorded there: nothing to apply again')

  const db = createDb({ url })
  t.teardown(() => db.$disconnect())
  t.equal(db.schema, 'beacon_app')
  await checkSchemaInUse(db.pool, db.schema)
  // Prisma's query (names qualified with the adapter's schema) and a statement through the pool
  // (names resolved by the search path) meet the same rows.
  const application = await db.application.create({ data: { appId: '7', name: 'seven' } })
  const { rows: [device] } = await db.pool.query<{ id: string }>(
    'SELECT beacon_register_device($1::text, $2::text, \'FCM\', NULL, $3::text[], $4::text[], $5::"ActivationStatus"[]) AS id',
    ['7', 'token-a', ['act-1'], ['u1'], ['ACTIVE']])
  t.ok(device?.id, 'beacon_register_device finds the application Prisma created')
  const stored = await db.device.findMany({ select: { applicationId: true, pushToken: true } })
  t.same(stored, [{ applicationId: application.id, pushToken: 'token-a' }], 'Prisma reads the device the function wrote')
  const counted = await withClient(database.url, async (client) => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM beacon_app.device')).rows[0]!.n)
  t.equal(counted, 1, 'in beacon_app')
})

// guarantee: database-schema-mismatch-refused
t.test('a search path that would split Beacon between two schemas is refused, at migration and at start', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  await applyMigrations(database.url)
  // A schema named after the role comes first on PostgreSQL's default path ("$user", public).
  await withClient(database.url, (client) => client.query('CREATE SCHEMA IF NOT EXISTS "postgres"'))
  const db = createDb({ url: database.url })
  t.teardown(() => db.$disconnect())
  const refused = await checkSchemaInUse(db.pool, db.schema).catch((error: unknown) => error) as DbError
  t.type(refused, DbError)
  t.equal(refused.code, DbErrorCode.SCHEMA_MISMATCH)
  t.equal(refused.message, 'the connection\'s search path starts at schema "postgres", where Beacon\'s own statements would create ' +
    '(and look first for) its tables, while its Prisma queries use "public": name the schema that holds Beacon\'s tables in DATABASE_URL ' +
    '(?schema=public or ?schema=postgres)')
  await t.rejects(applyMigrations(database.url), { code: DbErrorCode.SCHEMA_MISMATCH }, 'migrations would go to the other schema')
  await t.rejects(applyMigrations(`${database.url}?options=${encodeURIComponent('-c search_path=elsewhere')}`), { code: DbErrorCode.SCHEMA_MISMATCH },
    'a search path in the URL\'s options, without ?schema=')
})

t.test('the URL\'s own options are kept beside the search path; a bad schema name is refused without the URL', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  const url = `${database.url}?options=${encodeURIComponent('-c statement_timeout=4321')}&schema=Beacon_Mixed`
  await applyMigrations(url)
  const { rows: [settings] } = await withClient(connectionOf(url).config.connectionString!, (client) =>
    client.query<{ path: string, timeout: string }>("SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout"))
  t.same(settings, { path: '"Beacon_Mixed"', timeout: '4321ms' })
  t.ok(await tablesIn(database.url, 'Beacon_Mixed') > 10, 'the name keeps its case')

  const error = t.throws(() => connectionOf('postgresql://beacon:hunter2@h/db?schema=x;DROP')) as DbError
  t.equal(error.code, DbErrorCode.SCHEMA_INVALID)
  t.notMatch(error.message, /hunter2/)
})

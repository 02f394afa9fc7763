import t from 'tap'
import { createDb } from '../../src/client.js'
import { checkSchemaInUse, connectionOf } from '../../src/connection.js'
import { DbError, DbErrorCode } from '../../src/errors.js'
import { applyMigrations } from '../../src/migrate.js'
import { createEmptyDatabase, withClient } from '../helpers/databases.js'

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
  const db = createDb({ url, poolSize: 1 })
  t.teardown(() => db.$disconnect())
  const { rows: [settings] } = await db.pool.query<{ path: string, timeout: string }>("SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout")
  t.same(settings, { path: '"Beacon_Mixed"', timeout: '4321ms' })
  t.ok(await tablesIn(database.url, 'Beacon_Mixed') > 10, 'the name keeps its case')

  for (const bad of ['x;DROP', 'pg_beacon', '1x', '', 'a"b']) {
    const error = t.throws(() => connectionOf(`postgresql://beacon:hunter2@h/db?schema=${encodeURIComponent(bad)}`)) as DbError
    t.equal(error.code, DbErrorCode.SCHEMA_INVALID, JSON.stringify(bad))
    t.notMatch(error.message, /hunter2/)
  }
  t.throws(() => connectionOf('postgresql://h/db?schema=a&schema=b'), { code: DbErrorCode.SCHEMA_INVALID }, 'two different ones')
})

t.test('an upgrade whose URL already said ?schema= while the tables are in public is refused, not migrated into an empty schema', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  await applyMigrations(database.url)
  await withClient(database.url, (client) => client.query("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now())"))
  // Releases before this one ignored the parameter: this installation's data is in public.
  const refused = await applyMigrations(`${database.url}?schema=beacon`).catch((error: unknown) => error) as DbError
  t.equal(refused.code, DbErrorCode.SCHEMA_MISMATCH)
  t.equal(refused.message, 'DATABASE_URL names schema "beacon", which holds no Beacon migrations, while public does: releases before this one ' +
    'ignored ?schema= and kept Beacon\'s tables in public. Leave the parameter out (or ?schema=public) to go on with them')
  const { rows: [created] } = await withClient(database.url, (client) => client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'beacon'"))
  t.equal(created!.n, 0, 'nothing was created')
  t.same(await applyMigrations(`${database.url}?schema=public`), [], '?schema=public names where they are')
})

t.test('two Beacons, each in its own schema, share a database', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  t.ok((await applyMigrations(`${database.url}?schema=tenant_a`)).length > 10)
  t.ok((await applyMigrations(`${database.url}?schema=tenant_b`)).length > 10, 'the second is not refused for the first')
  t.ok(await tablesIn(database.url, 'tenant_b') > 10)
})

t.test('the URL is read as node-postgres reads it: a raw % in the password, a socket host, an escaped parameter name', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(() => database.drop())
  const { pathname } = new URL(database.url)
  // Trust authentication here: the password is only parsed, and must not break the options.
  const spellings = [
    `postgresql://postgres:100%@127.0.0.1:5432${pathname}?schema=beacon_app`,
    `postgresql://postgres:secret@${pathname}?host=/var/run/postgresql&schema=beacon_app`,
    `postgresql://postgres@127.0.0.1:5432${pathname}?sch%65ma=beacon_app`
  ]
  for (const url of spellings) {
    const connection = connectionOf(url)
    t.equal(connection.schema, 'beacon_app')
    await applyMigrations(url)
    const db = createDb({ url, poolSize: 1 })
    try {
      const { rows: [row] } = await db.pool.query<{ schema: string, socket: boolean }>('SELECT current_schema() AS schema, inet_server_addr() IS NULL AS socket')
      t.equal(row!.schema, 'beacon_app', url.replace(/:[^:@/]*@/, ':***@'))
      t.equal(row!.socket, url.includes('host=/var/run'), 'over the socket when the URL says so')
    } finally {
      await db.$disconnect()
    }
  }
})

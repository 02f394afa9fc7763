import pg from 'pg'
import t, { type Test } from 'tap'
import { createOutdatedTestDatabase } from './helpers/databases.js'

const MIGRATION = '20261202000000_text_app_id'

/** One device of application $1 (token and activation named after it), by the function of the time. */
const register = (appIdType: 'bigint' | 'text') =>
  `SELECT beacon_register_device($1::${appIdType}, 'token-' || $1, 'FCM', NULL, ARRAY['act-' || $1], ARRAY['user'], ARRAY['ACTIVE']::"ActivationStatus"[]) AS id`
const REGISTER = register('text')

async function databaseBefore (t: Test) {
  const database = await createOutdatedTestDatabase(MIGRATION)
  t.teardown(database.drop)
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  return { client, migrate: database.migrate }
}

// guarantee: app-id-text-migration
t.test('numeric application ids become their decimal text: same rows, devices and lookups; text ids next to them', async (t) => {
  const { client, migrate } = await databaseBefore(t)
  const before = new Map<string, number>()
  for (const appId of ['2', '0', String(Number.MAX_SAFE_INTEGER), '9223372036854775807']) {
    const { rows } = await client.query<{ id: number }>(
      'INSERT INTO application (app_id, name, updated_at) VALUES ($1::bigint, $1, now()) RETURNING id', [appId])
    before.set(appId, rows[0]!.id)
  }
  // A device registered through the function as it was (by a bigint).
  const { rows: [old] } = await client.query<{ id: string }>(register('bigint'), ['2'])
  t.ok(old?.id, 'a device of application 2 before the migration')

  // The upgrade applies it first, then any later migration.
  const applied = await migrate()
  t.equal(applied[0], MIGRATION)
  t.ok(applied.slice(1).every((name) => name > MIGRATION), 'only later migrations after it')

  const { rows: column } = await client.query(
    "SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'application' AND column_name = 'app_id'")
  t.same(column, [{ data_type: 'character varying', character_maximum_length: 255 }])
  const { rows: apps } = await client.query<{ id: number, app_id: string }>('SELECT id, app_id FROM application ORDER BY id')
  t.same(new Map(apps.map((row) => [row.app_id, row.id])), before, 'every id as its decimal text, on the same row')
  const { rows: devices } = await client.query('SELECT d.id FROM device d JOIN application a ON a.id = d.application_id WHERE a.app_id = $1', ['2'])
  t.same(devices, [{ id: old!.id }], 'the device kept its application')

  // The function now takes text: the same device again for "2", a new one for a text id.
  t.same((await client.query(REGISTER, ['2'])).rows, [{ id: old!.id }], 're-registering the token finds application "2"')
  await client.query("INSERT INTO application (app_id, name, updated_at) VALUES ('mobile-app', 'Mobile', now())")
  const { rows: [text] } = await client.query<{ id: string | null }>(REGISTER, ['mobile-app'])
  t.ok(text?.id !== null && text?.id !== undefined, 'a device of application "mobile-app"')
  t.same((await client.query(REGISTER, ['02'])).rows, [{ id: null }], '"02" is another id, of no application')
  const { rows: signatures } = await client.query<{ args: string }>(
    "SELECT pg_get_function_identity_arguments(oid) AS args FROM pg_proc WHERE proname = 'beacon_register_device'")
  t.equal(signatures.length, 1, 'one function, the bigint one is gone')
  t.match(signatures[0]?.args, /^p_app_id text,/)

  const duplicate = await client.query("INSERT INTO application (app_id, name, updated_at) VALUES ('2', 'again', now())").catch((e: unknown) => e)
  t.equal((duplicate as { code?: string }).code, '23505', 'the unique index holds for the text ids')
  const long = await client.query("INSERT INTO application (app_id, name, updated_at) VALUES (repeat('x', 256), 'long', now())").catch((e: unknown) => e)
  t.equal((long as { code?: string }).code, '22001', 'at most 255 characters')
})

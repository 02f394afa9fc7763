import { applyMigrations, createDb, DbErrorCode } from '@beacon/db'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

const withSchema = (url: string) => `${url}?schema=beacon_app`

async function onDatabase<T> (databaseUrl: string, sql: string): Promise<T[]> {
  const db = createDb({ url: databaseUrl, poolSize: 1 })
  try { return (await db.pool.query(sql)).rows as T[] } finally { await db.$disconnect() }
}

t.test('with DATABASE_URL\'s ?schema= the api keeps what it writes in that schema, through Prisma and its own statements alike', async (t) => {
  // The test database comes migrated into public: emptied, then migrated into the schema.
  const beforeStart = async (url: string) => {
    await onDatabase(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public')
    await applyMigrations(withSchema(url))
  }
  const { app, databaseUrl } = await buildApp(t, {}, { databaseUrl: withSchema, beforeStart })
  const created = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 4 } })
  t.equal(created.statusCode, 200, created.body)
  const registered = await call(app, 'POST', '/push/device/create', {
    requestObject: { appId: 4, token: 'a'.repeat(64), platform: 'ios', activationId: 'act-1', userId: 'u1' }
  })
  t.equal(registered.statusCode, 200, registered.body)
  const listed = await call(app, 'GET', '/admin/app/list')
  t.match(listed.json(), { status: 'OK', responseObject: { applicationList: [{ appId: 4 }] } }, 'read back through Prisma')
  const [counts] = await onDatabase<Record<string, number>>(databaseUrl, `
    SELECT (SELECT count(*) FROM beacon_app.application)::int AS applications, (SELECT count(*) FROM beacon_app.device)::int AS devices,
           (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')::int AS "tables in public"`)
  t.same(counts, { applications: 1, devices: 1, 'tables in public': 0 })
})

// guarantee: database-schema-mismatch-refused
t.test('a search path that would split the api between two schemas stops it at start, with the reason', async (t) => {
  // PostgreSQL's default path is "$user", public: a schema named after the role comes first.
  const started = buildApp(t, {}, { beforeStart: async (url) => { await onDatabase(url, 'CREATE SCHEMA "postgres"') } })
  await t.rejects(started, { code: DbErrorCode.SCHEMA_MISMATCH, message: /starts at schema "postgres", .* while its Prisma queries use "public": .*\(\?schema=public or \?schema=postgres\)$/ })
})

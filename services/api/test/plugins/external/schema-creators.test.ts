import { createDb } from '@beacon/db'
import t from 'tap'
import { buildApp } from '../../helper.js'

async function onDatabase (databaseUrl: string, sql: string) {
  const db = createDb({ url: databaseUrl, poolSize: 1 })
  try { await db.pool.query(sql) } finally { await db.$disconnect() }
}

function schemaWarnings (logs: string) {
  return logs.split('\n').filter((line) => line.includes('may create objects in schema')).map((line) => JSON.parse(line) as Record<string, unknown>)
}

// guarantee: schema-creators-warned
t.test('a schema where every role may create (a database made before PostgreSQL 15) is named at start, with the fix', async (t) => {
  const { logs } = await buildApp(t, {}, {
    captureLogs: true,
    beforeStart: (url) => onDatabase(url, 'GRANT CREATE ON SCHEMA public TO PUBLIC')
  })
  const warnings = schemaWarnings(logs())
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0], {
    level: 40,
    schemaCreators: { schema: 'public', public: true, roles: [], owner: null },
    msg: /REVOKE CREATE ON SCHEMA "public" FROM PUBLIC CASCADE$/
  })
})

t.test('only the schema\'s owner and Beacon\'s own role may create (PostgreSQL 15\'s default, Beacon\'s own grant): no warning', async (t) => {
  const { app, logs } = await buildApp(t, {}, {
    captureLogs: true,
    beforeStart: (url) => onDatabase(url, 'GRANT CREATE ON SCHEMA public TO CURRENT_USER')
  })
  await app.inject({ method: 'GET', url: '/no/such/route' })
  t.match(logs(), /"msg":"request completed"/, 'the log is captured')
  t.same(schemaWarnings(logs()), [])
})

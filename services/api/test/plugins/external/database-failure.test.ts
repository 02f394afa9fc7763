import { createDb } from '@beacon/db'
import { adminDatabaseUrl } from '@beacon/testkit'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

async function admin (sql: string) {
  const db = createDb({ url: adminDatabaseUrl, poolSize: 1 })
  try { await db.pool.query(sql) } finally { await db.$disconnect() }
}

t.test('the database gone: 503 ERROR_DATABASE, through the pool and through Prisma alike', async (t) => {
  const { app, databaseUrl } = await buildApp(t)
  const name = new URL(databaseUrl).pathname.slice(1)
  // No new connection is allowed, and the open ones are ended: every statement fails.
  await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`)
  t.teardown(() => admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`))
  await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`)

  const requests = {
    'device registration (pool)': () => call(app, 'POST', '/push/device/create', { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }),
    'message send (pool)': () => call(app, 'POST', '/push/message/send', { requestObject: { appId: 1, message: { userId: 'u-1', body: { title: 'hi' } } } }),
    'application list (Prisma)': () => call(app, 'GET', '/admin/app/list')
  }
  for (const [what, request] of Object.entries(requests)) {
    const response = await request()
    t.equal(response.statusCode, 503, what)
    t.match(response.json(), { status: 'ERROR', responseObject: { code: 'ERROR_DATABASE' } }, what)
  }
})

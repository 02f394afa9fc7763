// The harness's own promises: private servers stop, come back on the same port with their data,
// and leave nothing behind.
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { createDb } from '@beacon/db'
import t from 'tap'
import { startPrivateNats } from './harness/private-nats.js'
import { startPrivatePostgres } from './harness/private-postgres.js'

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1')
  socket.once('connect', () => { socket.destroy(); resolve(true) })
  socket.once('error', () => resolve(false))
})

t.test('a private PostgreSQL keeps its data across a stop and is gone after close', async (t) => {
  const postgres = await startPrivatePostgres()
  t.teardown(() => postgres.close())
  const db = createDb({ url: postgres.url, poolSize: 1 })
  t.teardown(() => db.$disconnect())
  await db.pool.query('CREATE TABLE kept (v int)')
  await db.pool.query('INSERT INTO kept VALUES (42)')
  await postgres.stop()
  t.notOk(await accepts(postgres.port), 'nothing listens while it is stopped')
  await t.rejects(db.pool.query('SELECT 1'), 'queries fail during the outage')
  await postgres.start()
  t.same((await db.pool.query('SELECT v FROM kept')).rows, [{ v: 42 }], 'the data is back on the same port')
  t.ok((await db.pool.query('SELECT 1 FROM _prisma_migrations LIMIT 1')).rowCount === 1, 'the schema is migrated')
  await db.$disconnect()
  await postgres.close()
  t.notOk(await accepts(postgres.port), 'closed for good')
})

t.test('a private nats-server stops and starts on the same port, and is gone after close', async (t) => {
  const nats = await startPrivateNats()
  t.teardown(() => nats.close())
  t.ok(await accepts(nats.port), 'listening')
  await nats.stop()
  t.notOk(await accepts(nats.port), 'nothing listens while it is stopped')
  await nats.start()
  t.ok(await accepts(nats.port), 'listening again on the same port')
  await nats.close()
  t.notOk(await accepts(nats.port), 'closed for good')
})

t.test('a folder of a closed server is removed', async (t) => {
  const nats = await startPrivateNats()
  const postgres = await startPrivatePostgres()
  const folders = [nats.folder, postgres.folder]
  t.ok(folders.every((folder) => existsSync(folder)), 'their folders exist while they run')
  await Promise.all([nats.close(), postgres.close()])
  t.notOk(folders.some((folder) => existsSync(folder)), 'and are gone after close')
})

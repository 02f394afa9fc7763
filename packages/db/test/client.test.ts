import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createDb } from '../src/client.js'
import { connectionsTo, createTestDatabase } from './helpers/databases.js'

/** Polls: a backend leaves pg_stat_activity a moment after its client hangs up. */
async function settledConnections (name: string, expected: number): Promise<number> {
  let count = await connectionsTo(name)
  for (let i = 0; i < 40 && count !== expected; i++) {
    await sleep(50)
    count = await connectionsTo(name)
  }
  return count
}

t.test('createDb writes and reads through Prisma', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const prisma = createDb({ url: db.url })
  t.teardown(() => prisma.$disconnect())

  const appId = 'mobile-banking ✓ 🚀' // text since PowerAuth 1.3: non-ASCII must survive the round trip
  const created = await prisma.application.create({
    data: { appId, name: 'mobile-banking', apnsPrivateKey: Buffer.from([0, 1, 2, 255]) }
  })
  t.ok(created.id > 0)
  t.equal(created.credentialsVersion, 0, 'database default')

  const read = await prisma.application.findUnique({ where: { appId } })
  t.equal(read?.id, created.id)
  t.equal(read?.appId, appId)
  t.equal(read?.name, 'mobile-banking')
  t.same(Buffer.from(read?.apnsPrivateKey ?? []), Buffer.from([0, 1, 2, 255]))
  t.equal(read?.fcmServiceAccount, null)
  t.ok(read?.createdAt instanceof Date)
})

t.test('poolSize bounds the connections and $disconnect releases them', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const prisma = createDb({ url: db.url, poolSize: 2 })
  let disconnected = false
  t.teardown(async () => { if (!disconnected) await prisma.$disconnect() })

  const pids = await Promise.all(Array.from({ length: 6 }, () =>
    prisma.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid, pg_sleep(0.05)::text AS slept`))
  const distinct = new Set(pids.map((rows) => rows[0]?.pid))
  t.ok(distinct.size >= 1 && distinct.size <= 2, `6 concurrent queries ran on ${distinct.size} connection(s)`)
  t.ok(await connectionsTo(db.name) > 0, 'the pool holds its connections while open')

  await prisma.$disconnect()
  disconnected = true
  t.equal(await settledConnections(db.name, 0), 0, 'no connection left after $disconnect')
})

t.test('the pool beside Prisma shares its connections, and $disconnect ends it even when Prisma never ran a query', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const shared = createDb({ url: db.url, poolSize: 1 })
  const [viaPool, viaPrisma] = await Promise.all([
    shared.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
    shared.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`
  ])
  t.equal(viaPool.rows[0]?.pid, viaPrisma[0]?.pid, 'one connection serves both (poolSize 1)')
  await shared.$disconnect()
  t.equal(shared.pool.ended, true)

  const poolOnly = createDb({ url: db.url, poolSize: 2 })
  await poolOnly.pool.query('SELECT 1')
  t.ok(await connectionsTo(db.name) > 0)
  await poolOnly.$disconnect()
  t.equal(await settledConnections(db.name, 0), 0, 'no connection left after $disconnect')
})

import { createServer, connect, type Socket } from 'node:net'
import t from 'tap'
import { createDb } from '../src/client.js'
import { connectionsTo, createTestDatabase } from './helpers/databases.js'

/** A TCP proxy to PostgreSQL that holds what clients send for `delayMs` (a slow link or a busy server). */
async function delayingProxy (target: { host: string, port: number }, delayMs: number) {
  const sockets = new Set<Socket>()
  // Half-open: a client's FIN is passed on late, with its data, and its socket closes only when PostgreSQL's does.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect(target.port, target.host)
    for (const socket of [client, upstream]) { sockets.add(socket); socket.on('error', () => {}) }
    client.on('data', (chunk) => { setTimeout(() => upstream.write(chunk), delayMs) })
    client.on('end', () => { setTimeout(() => upstream.end(), delayMs) })
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()) })
  }
}

// pg-pool's end() resolves once it has asked its idle clients to end, not once they have: a
// PostgreSQL stopped right after (the standalone stops its embedded cluster next) found sessions
// still open and cut them ("terminating connection due to administrator command").
t.test('$disconnect resolves once every session has ended on the server, not when it was asked to', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const url = new URL(db.url)
  const proxy = await delayingProxy({ host: url.hostname, port: Number(url.port || 5432) }, 300)
  t.teardown(proxy.close)
  url.port = String(proxy.port)
  const client = createDb({ url: url.toString(), poolSize: 4 })
  // Four sessions, through the pool and through Prisma.
  await Promise.all([
    ...Array.from({ length: 3 }, () => client.pool.query('SELECT pg_sleep(0.05)')),
    client.$queryRaw`SELECT pg_sleep(0.05)::text AS slept`
  ])
  t.ok(await connectionsTo(db.name) >= 2, 'sessions open before')
  await client.$disconnect()
  t.equal(await connectionsTo(db.name), 0, 'no session left the moment $disconnect resolved')
})

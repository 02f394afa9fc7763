import { createServer, connect, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { createDb, DISCONNECT_WAIT_MS } from '../src/client.js'
import { connectionsTo, createTestDatabase } from './helpers/databases.js'

/**
 * A TCP proxy to PostgreSQL that holds what clients send for `delayMs` (a slow link or a busy
 * server); `blackHole()` drops it from then on (a server that can no longer be reached).
 */
async function delayingProxy (target: { host: string, port: number }, delayMs: number) {
  const sockets = new Set<Socket>()
  let dropping = false
  const later = (step: () => void) => { if (!dropping) setTimeout(step, delayMs) }
  // Half-open: a client's FIN is passed on late, with its data, and its socket closes only when PostgreSQL's does.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect(target.port, target.host)
    for (const socket of [client, upstream]) { sockets.add(socket); socket.on('error', () => {}) }
    client.on('data', (chunk) => { later(() => upstream.write(chunk)) })
    client.on('end', () => { later(() => upstream.end()) })
    upstream.pipe(client)
    upstream.on('close', () => { client.destroy() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    blackHole: () => { dropping = true },
    close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()) })
  }
}

/** A test database reached through a delaying proxy, and a createDb client of `poolSize` on it. */
async function throughProxy (t: Test, delayMs: number, poolSize: number) {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const url = new URL(db.url)
  const proxy = await delayingProxy({ host: url.hostname, port: Number(url.port || 5432) }, delayMs)
  t.teardown(proxy.close)
  url.port = String(proxy.port)
  return { db, proxy, client: createDb({ url: url.toString(), poolSize }) }
}

// pg-pool's end() resolves once it has asked its idle clients to end, not once they have: a
// PostgreSQL stopped right after (the standalone stops its embedded cluster next) found sessions
// still open and cut them ("terminating connection due to administrator command").
t.test('$disconnect resolves once every session has ended on the server, not when it was asked to', async (t) => {
  const { db, client } = await throughProxy(t, 300, 4)
  // Four sessions, through the pool and through Prisma.
  await Promise.all([
    ...Array.from({ length: 3 }, () => client.pool.query('SELECT pg_sleep(0.05)')),
    client.$queryRaw`SELECT pg_sleep(0.05)::text AS slept`
  ])
  t.ok(await connectionsTo(db.name) >= 2, 'sessions open before')
  await client.$disconnect()
  t.equal(await connectionsTo(db.name), 0, 'no session left the moment $disconnect resolved')
})

t.test('a server that no longer answers holds $disconnect for DISCONNECT_WAIT_MS at most, then the sockets are closed from this side', async (t) => {
  const { proxy, client } = await throughProxy(t, 0, 2)
  await Promise.all([client.pool.query('SELECT pg_sleep(0.05)'), client.pool.query('SELECT pg_sleep(0.05)')])
  proxy.blackHole()
  // Before the bound, the wait lasted as long as TCP kept the dead connection (minutes).
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    client.$disconnect().then(() => 'resolved'),
    new Promise((resolve) => { timer = setTimeout(resolve, DISCONNECT_WAIT_MS + 8000, 'still waiting') })
  ])
  clearTimeout(timer)
  t.equal(outcome, 'resolved')
  t.equal(client.pool.totalCount, 0, 'no client left in the pool')
  t.equal(await client.$disconnect().then(() => 'resolved'), 'resolved', 'a second call resolves too (one disconnect for every caller)')
})

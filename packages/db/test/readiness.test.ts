import { connect, createServer, type Socket } from 'node:net'
import pg from 'pg'
import t, { type Test } from 'tap'
import { databaseReadiness } from '../src/index.js'
import { adminDatabaseUrl } from './helpers/databases.js'

/** A TCP relay to the test PostgreSQL whose current connections can be silenced (a vanished peer). */
async function silencingRelay (t: Test) {
  const target = new URL(adminDatabaseUrl)
  const pairs: Array<{ silent: boolean, sockets: Socket[] }> = []
  const relay = createServer((client) => {
    const server = connect(Number(target.port || 5432), target.hostname)
    const pair = { silent: false, sockets: [client, server] }
    pairs.push(pair)
    client.on('data', (data) => { if (!pair.silent) server.write(data) })
    server.on('data', (data) => { if (!pair.silent) client.write(data) })
    for (const socket of pair.sockets) {
      socket.on('error', () => {})
      socket.on('close', () => { client.destroy(); server.destroy() })
    }
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const pair of pairs) for (const socket of pair.sockets) socket.destroy(); relay.close() })
  const url = new URL(adminDatabaseUrl)
  url.host = `127.0.0.1:${(relay.address() as { port: number }).port}`
  return { url: url.toString(), silenceAll: () => { for (const pair of pairs) pair.silent = true } }
}

t.test('a pooled connection whose peer vanished fails the check within its bound and is discarded: the next check answers', async (t) => {
  const relay = await silencingRelay(t)
  const pool = new pg.Pool({ connectionString: relay.url, max: 2 })
  t.teardown(() => pool.end().catch(() => {}))
  const readiness = databaseReadiness(pool, 300)
  t.equal(readiness.part, 'database')
  await t.resolves(readiness.check(), 'answers through the relay')
  relay.silenceAll() // the idle pooled connection now leads nowhere, and nothing tells the pool
  await t.rejects(readiness.check(), /timeout/i, 'the query on it fails at its read timeout instead of waiting for the kernel')
  await t.resolves(readiness.check(), 'the hung connection was discarded: a fresh one answers')
})

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TLSSocket } from 'node:tls'
import { createDb } from '@beacon/db'
import { adminDatabaseUrl, createTestCertificateAuthority, createTestDatabase, selfSignedCertificate } from '@beacon/testkit'
import t, { type Test } from 'tap'
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

// A TLS-terminating stand-in in front of the machine's PostgreSQL (which has no TLS): it answers
// the client's SSLRequest with 'S', shows the certificate it is told to, and passes the plain
// protocol on. Swapping the certificate is what a database's expiring or replaced certificate
// does to the api's next connections.
async function tlsFrontOfPostgres (t: Test, certificate: { cert: string, key: string }) {
  const upstream = new URL(adminDatabaseUrl)
  let shown = certificate
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.once('data', (first) => {
      // SSLRequest: length 8, code 80877103.
      if (first.length !== 8 || first.readInt32BE(4) !== 80877103) { socket.destroy(); return }
      socket.write('S')
      const secure = new TLSSocket(socket, { isServer: true, cert: shown.cert, key: shown.key })
      const database = connect(Number(upstream.port || 5432), upstream.hostname)
      secure.on('error', () => database.destroy())
      database.on('error', () => secure.destroy())
      secure.pipe(database).pipe(secure)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => { resolve() })
  }))
  return { port: (server.address() as AddressInfo).port, show: (next: { cert: string, key: string }) => { shown = next } }
}

t.test('the database\'s certificate no longer trusted: 503 ERROR_DATABASE, through the pool and through Prisma alike', async (t) => {
  const authority = await createTestCertificateAuthority()
  const trusted = await authority.issue()
  const front = await tlsFrontOfPostgres(t, { cert: trusted.chain, key: trusted.key })
  const folder = await mkdtemp(join(tmpdir(), 'beacon-db-ca-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  await writeFile(join(folder, 'root.pem'), authority.rootCert)
  const database = await createTestDatabase()
  t.teardown(database.drop)
  const url = `postgresql://postgres@localhost:${front.port}/${database.name}?sslmode=verify-full&sslrootcert=${encodeURIComponent(join(folder, 'root.pem'))}`
  const { app } = await buildApp(t, { DATABASE_URL: url })

  const requests = {
    'device registration (pool)': () => call(app, 'POST', '/push/device/create', { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }),
    'application list (Prisma)': () => call(app, 'GET', '/admin/app/list')
  }
  const before = await requests['application list (Prisma)']()
  t.equal(before.statusCode, 200, 'over the trusted certificate the api reads its database')

  // A certificate of no authority the api trusts, and the open connections gone: every
  // statement needs a new connection, and no TLS session can be set up.
  const stranger = await selfSignedCertificate()
  front.show(stranger)
  await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database.name}'`)
  for (const [what, request] of Object.entries(requests)) {
    const response = await request()
    t.equal(response.statusCode, 503, what)
    t.match(response.json(), { status: 'ERROR', responseObject: { code: 'ERROR_DATABASE' } }, what)
  }
})

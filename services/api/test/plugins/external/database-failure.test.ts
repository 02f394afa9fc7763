import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TLSSocket } from 'node:tls'
import { createDb } from '@beacon/db'
import { adminDatabaseUrl, createTestCertificateAuthority, createTestDatabase, selfSignedCertificate } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { authorization, buildApp, call } from '../../helper.js'

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
// does to the api's connections: `show` also ends every connection open through it, so each next
// statement needs a new one.
async function tlsFrontOfPostgres (t: Test, certificate: { cert: string, key: string }) {
  const upstream = new URL(adminDatabaseUrl)
  let shown = certificate
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const server = createNetServer((socket) => {
    track(socket)
    socket.once('data', (first) => {
      // SSLRequest: length 8, code 80877103.
      if (first.length !== 8 || first.readInt32BE(4) !== 80877103) { socket.destroy(); return }
      socket.write('S')
      const secure = new TLSSocket(socket, { isServer: true, cert: shown.cert, key: shown.key })
      const database = connect(Number(upstream.port || 5432), upstream.hostname)
      track(database)
      secure.on('error', () => database.destroy())
      secure.on('close', () => database.destroy())
      database.on('close', () => secure.destroy())
      secure.pipe(database).pipe(secure)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endAll = () => { for (const socket of sockets) socket.destroy() }
  t.teardown(() => new Promise<void>((resolve) => {
    endAll()
    server.close(() => { resolve() })
  }))
  return { port: (server.address() as AddressInfo).port, show: (next: { cert: string, key: string }) => { shown = next; endAll() } }
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
  // The test database's own URL (its user and password), through the front: 127.0.0.1 is a name
  // of the issued certificate.
  const through = new URL(database.url)
  through.hostname = '127.0.0.1'
  through.port = String(front.port)
  through.searchParams.set('sslmode', 'verify-full')
  through.searchParams.set('sslrootcert', join(folder, 'root.pem'))
  const url = through.toString()
  const { app } = await buildApp(t, { DATABASE_URL: url })

  const requests = {
    'device registration (pool)': () => call(app, 'POST', '/push/device/create', { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }),
    'application list (Prisma)': () => call(app, 'GET', '/admin/app/list')
  }
  const before = await requests['application list (Prisma)']()
  t.equal(before.statusCode, 200, 'over the trusted certificate the api reads its database')

  // A certificate of no authority the api trusts, and the open connections ended: every
  // statement needs a new connection, and no TLS session can be set up.
  front.show(await selfSignedCertificate())
  for (const [what, request] of Object.entries(requests)) {
    const response = await request()
    t.equal(response.statusCode, 503, what)
    t.match(response.json(), { status: 'ERROR', responseObject: { code: 'ERROR_DATABASE' } }, what)
  }
})

// guarantee: access-line-per-request
t.test('a client that goes away in the middle of its body is not a database failure', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  // ECONNRESET, the code a broken database connection has too: here it is the client's.
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST /push/device/create HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"requestObject":`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  socket.destroy()
  const lines = () => logs().split('\n').filter((line) => line.includes('"msg":"request aborted"')).map((line) => JSON.parse(line))
  for (let i = 0; i < 50 && lines().length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  t.match(lines(), [{ level: 30, req: { method: 'POST', url: '/push/device/create' } }], 'its access line says it went away')
  t.notMatch(logs(), /database failure/, 'and no database failure in the log')
})

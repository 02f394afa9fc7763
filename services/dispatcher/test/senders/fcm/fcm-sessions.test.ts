import { selfSignedCertificate, startFcmMock } from '@beacon/testkit'
import { createSecureServer, type ServerHttp2Session } from 'node:http2'
import { createServer, type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { FcmConnectionError, FcmSessions, type FcmSessionLease } from '../../../src/senders/fcm/fcm-sessions.js'

/** An HTTP/2 TLS server answering 200 to every stream; `onSession` sees each connection. */
async function startServer (t: Test, onSession: (session: ServerHttp2Session) => void = () => {}) {
  const tls = await selfSignedCertificate()
  const server = createSecureServer({ cert: tls.cert, key: tls.key })
  const sessions: ServerHttp2Session[] = []
  server.on('session', (session) => { sessions.push(session); session.on('error', () => {}); onSession(session) })
  server.on('stream', (stream) => { stream.on('error', () => {}); stream.respond({ ':status': 200 }); stream.end('{}') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const session of sessions) session.destroy()
    server.close(() => resolve())
  }))
  return { origin: new URL(`https://localhost:${(server.address() as AddressInfo).port}`), ca: Buffer.from(tls.cert), sessions }
}

/** One POST on the lease's session: its status, or the error that ended it. */
function request (lease: FcmSessionLease): Promise<number | Error> {
  return new Promise((resolve) => {
    const stream = lease.session.request({ ':method': 'POST', ':path': '/v1/projects/p/messages:send', ':scheme': 'https:' })
    stream.on('response', (headers) => { stream.resume(); stream.on('end', () => resolve(Number(headers[':status']))) })
    stream.on('error', resolve)
    stream.end('{}')
  })
}

t.test('at most streamsPerSession leases per connection; freed slots are reused', async (t) => {
  const server = await startServer(t)
  const sessions = new FcmSessions({ origin: server.origin, ca: server.ca, pingTimeoutMs: 1000, streamsPerSession: 2 })
  t.teardown(() => sessions.close())
  const [a, b, c] = [sessions.lease(), sessions.lease(), sessions.lease()]
  t.equal(a.session, b.session, 'the first two share a connection')
  t.not(c.session, a.session, 'the third opens another')
  t.equal(sessions.size, 2)
  // firebase-admin writes ':scheme' as 'https:'; a strict server would reset such a stream.
  t.same(await Promise.all([a, b, c].map(request)), [200, 200, 200])
  a.release()
  a.release() // twice is once
  t.equal(sessions.lease().session, b.session, 'a freed slot is taken before a new connection opens')
  t.equal(sessions.size, 2)
})

t.test('a connection that receives GOAWAY takes no new streams', async (t) => {
  const server = await startServer(t)
  const sessions = new FcmSessions({ origin: server.origin, ca: server.ca, pingTimeoutMs: 1000 })
  t.teardown(() => sessions.close())
  const first = sessions.lease()
  t.equal(await request(first), 200)
  first.release()
  server.sessions[0]!.goaway()
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(sessions.size, 0, 'retired')
  const next = sessions.lease()
  t.equal(await request(next), 200)
  t.equal(server.sessions.length, 2, 'over a new connection')
})

t.test('a connection refused fails its streams, not the process', async (t) => {
  // A port nobody listens on: taken, then freed.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const sessions = new FcmSessions({ origin: new URL(`https://127.0.0.1:${port}`), ca: null, pingTimeoutMs: 1000 })
  t.teardown(() => sessions.close())
  const outcome = await request(sessions.lease())
  t.type(outcome, Error)
  t.equal(sessions.size, 0, 'the failed connection is not reused')
})

t.test('close() closes every connection and refuses new leases', async (t) => {
  let closed = 0
  const server = await startServer(t, (session) => session.on('close', () => closed++))
  const sessions = new FcmSessions({ origin: server.origin, ca: server.ca, pingTimeoutMs: 1000, streamsPerSession: 1 })
  const leases = [sessions.lease(), sessions.lease()]
  t.same(await Promise.all(leases.map(request)), [200, 200])
  for (const lease of leases) lease.release()
  await sessions.close()
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(closed, 2)
  t.throws(() => sessions.lease())
})

t.test('a connection pinged after a timeout takes no new streams; silent past pingTimeoutMs, it is destroyed and its streams fail', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const sessions = new FcmSessions({ origin: new URL(fcm.endpoint), ca: Buffer.from(fcm.ca), pingTimeoutMs: 300 })
  t.teardown(() => sessions.close())
  const first = sessions.lease()
  t.type(await request(first), 'number', 'answered while the connection is alive')
  fcm.freezeHttp2Connections()
  const stuck = request(first)
  first.unanswered()
  const other = sessions.lease()
  t.not(other.session, first.session, 'a new stream goes to another connection while the PING is out')
  const started = Date.now()
  const outcome = await stuck
  t.type(outcome, FcmConnectionError, 'the stream still open on the silent connection fails with it')
  t.ok(Date.now() - started >= 250, 'after the PING timeout')
  t.equal(sessions.size, 1, 'only the new connection is left')
  t.type(await request(other), 'number')
})

t.test('a connection retired with a stream in flight is closed when that stream ends, not kept open until close()', async (t) => {
  const tls = await selfSignedCertificate()
  const server = createSecureServer({ cert: tls.cert, key: tls.key })
  const serverSessions: ServerHttp2Session[] = []
  let answer!: () => void
  const held = new Promise<void>((resolve) => {
    server.on('stream', (stream) => {
      stream.on('error', () => {})
      answer = () => { stream.respond({ ':status': 200 }); stream.end('{}') }
      resolve()
    })
  })
  server.on('session', (session) => { serverSessions.push(session); session.on('error', () => {}) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const session of serverSessions) session.destroy()
    server.close(() => resolve())
  }))
  const origin = new URL(`https://localhost:${(server.address() as AddressInfo).port}`)
  const sessions = new FcmSessions({ origin, ca: Buffer.from(tls.cert), pingTimeoutMs: 1000 })
  t.teardown(() => sessions.close())
  const lease = sessions.lease()
  const status = request(lease)
  await held
  const client = serverSessions[0]!
  let closed = false
  client.once('close', () => { closed = true })
  // The server now allows no streams: the connection is retired with one stream still in flight.
  client.settings({ maxConcurrentStreams: 0 })
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(sessions.size, 0, 'retired')
  t.notOk(closed, 'kept open while its stream is in flight')
  answer()
  t.equal(await status, 200, 'the stream in flight is answered')
  lease.release()
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.ok(closed, 'closed once its last stream is released')
})

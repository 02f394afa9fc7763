import t from 'tap'
import { buildApp } from '../helper.js'
import { parseResponse, rawConnection } from '../raw-http.js'

const UPGRADE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'

// guarantee: refused-upgrade-closed, upgrade-only-websocket-route
t.test('a WebSocket upgrade refused with an HTTP answer has its socket closed, whoever refused it', async (t) => {
  const { app } = await buildApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  // Refused by a hook before @fastify/websocket's own (a path no route has, a cross-site write), or
  // by the router (no hook runs): Node applies no timeout to an upgrade's socket, so one left open
  // stayed for ever and held up the api's stop (app.close, at the test's end, waits for it).
  const cases: Array<[string, string, number]> = [
    ['a path no route has', `GET /no-such-socket HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}`, 404],
    ['a path no route has under the signed prefix (unsigned)', `GET /api/1.0/no-such-socket HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}`, 401],
    ['a cross-site write', `POST /push/message/send HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n${UPGRADE}`, 403],
    ['a URL the router refuses', `GET /api/1.0/push/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}`, 400],
    // @fastify/websocket alone would complete the handshake (101) on any GET route, uncounted.
    ['a route that takes no upgrade', `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}`, 400],
    ['a signed route that takes no upgrade', `GET /api/1.0/debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}`, 400]
  ]
  for (const [what, head, status] of cases) {
    const connection = rawConnection(port)
    connection.socket.write(`${head}\r\n`)
    const closed = await connection.closedWithin(5000)
    connection.socket.destroy()
    t.equal(parseResponse(connection.received()).status, status, `${what}: ${status}`)
    t.equal(closed, true, `${what}: its socket closed`)
  }
})

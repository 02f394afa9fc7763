import { createServer, connect, type Socket } from 'node:net'
import { testNatsUrl } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createNatsTransport } from '../src/index.js'
import { natsPrefix } from './fixtures.js'

/** A TCP relay to the test NATS server; `cut` ends it and its connections, so NATS is unreachable through it. */
async function relay (t: Test) {
  const target = new URL(testNatsUrl)
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => { client.destroy(); upstream.destroy(); sockets.delete(socket) })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const cut = async () => {
    const closed = new Promise((resolve) => server.close(resolve))
    for (const socket of sockets) socket.destroy()
    await closed
  }
  t.teardown(() => server.listening ? cut() : undefined)
  return { url: `nats://127.0.0.1:${port}`, cut }
}

t.test('close while NATS is unreachable: resolves, and the connection stops reconnecting', async (t) => {
  const prefix = await natsPrefix(t)
  const nats = await relay(t)
  const reported: unknown[] = []
  const transport = await createNatsTransport({ servers: nats.url, prefix, name: 'close-test', onError: (error) => reported.push(error) })
  const disconnected = new Promise<void>((resolve) => {
    const watch = transport.watchConnection((connected) => { if (!connected) { resolve(); watch.stop().catch(() => {}) } })
  })
  await nats.cut()
  await disconnected
  await t.resolves(transport.close(), 'closed, not "connection disconnected"')
  t.equal(reported.length, 1, 'the failed drain reported, once')
  t.match(String(reported[0]), /disconnect|closed|timeout/i)
  // Nothing of the transport keeps the event loop alive: tap's own timeout would end a test that hung on it.
})

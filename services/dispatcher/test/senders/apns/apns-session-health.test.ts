import type { ClientHttp2Session } from 'node:http2'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import apn from '@parse/node-apn'
import { startApnsMock } from '@beacon/testkit'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import { buildApnsNotification } from '../../../src/senders/apns/apns-notification.js'
import { createApnsSender } from '../../../src/senders/apns/apns-sender.js'
import { createApnsSessionHealth } from '../../../src/senders/apns/apns-session-health.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

const BUNDLE = 'com.example.health'
let tokens = 0
type PingCallback = (error: Error | null, duration: number, payload: Buffer) => void
const token = () => (++tokens).toString(16).padStart(64, 'a')

/** An APNs sender to a fresh mock, and a function sending one notification to one new device. */
async function setup (t: Test, options: { requestTimeoutMs: number, pingIntervalMs?: number, pingTimeoutMs?: number, port?: number, maxStreams?: number }) {
  const mock = await startApnsMock()
  t.teardown(() => mock.close())
  const key = mock.createKey({ bundles: [BUNDLE] })
  const { port = mock.port, maxStreams = 10, ...timing } = options
  const sender = createApnsSender({ url: new URL(`https://127.0.0.1:${port}`), ca: Buffer.from(mock.ca), maxStreams, ...timing })
  t.teardown(() => sender.close())
  const credentials: ApplicationCredentials = {
    id: 1,
    appId: '1',
    version: 1,
    fcm: null,
    apns: { bundle: BUNDLE, keyId: key.keyId, teamId: key.teamId, production: true, privateKeyPem: key.privateKeyPem }
  }
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  const prepared = preparation.prepared
  const send = async (device = token()): Promise<SendOutcome> => (await prepared.send([{ id: 1n, token: device, platform: 'APNS', environment: null }]))[0]!
  return { mock, send }
}

t.test('a session that stops answering (pings included) is replaced: the next send goes over a new connection', async (t) => {
  const { mock, send } = await setup(t, { requestTimeoutMs: 300 })
  t.same(await send(), { kind: 'sent' })
  t.equal(mock.connections, 1)

  mock.freezeConnections()
  const lost = token()
  t.match(await send(lost), { kind: 'retry', reason: 'ConnectionError' }, 'the request on the silent session is a retryable outcome')
  t.equal(mock.received(lost).length, 0, 'the frozen server never read it')

  t.same(await send(), { kind: 'sent' }, 'the next send succeeds')
  t.equal(mock.connections, 2, 'over a second connection')
  t.same(await send(lost), { kind: 'sent' }, 'the lost device too, when retried')
  t.equal(mock.connections, 2, 'the new connection is kept')
})

t.test('a request left unanswered on a session that still answers pings keeps the session', async (t) => {
  const { mock, send } = await setup(t, { requestTimeoutMs: 300 })
  const hanging = token()
  mock.script(hanging, 'hang')
  t.match(await send(hanging), { kind: 'retry', reason: 'ConnectionError' })
  t.equal(mock.counters.hung, 1, 'the mock took the request and never answered it')
  t.same(await send(), { kind: 'sent' })
  t.equal(mock.connections, 1, 'the healthy session was not replaced')
})

t.test('many requests left unanswered at once on a session that answers pings: one check, the session kept', async (t) => {
  // Each unanswered request asks for a check: one ping per request would pass Node's limit of
  // unacknowledged pings (10), and a refused ping condemns the session with every request on it.
  const { mock, send } = await setup(t, { requestTimeoutMs: 300, maxStreams: 20 })
  t.same(await send(), { kind: 'sent' })
  const hanging = Array.from({ length: 15 }, () => token())
  for (const device of hanging) mock.script(device, 'hang')
  const outcomes = await Promise.all(hanging.map((device) => send(device)))
  t.ok(outcomes.every((outcome) => outcome.kind === 'retry'), 'each unanswered request is retryable')
  t.same(await send(), { kind: 'sent' })
  t.equal(mock.connections, 1, 'the healthy session was not replaced')
})

t.test('the periodic ping condemns a silent session: the requests waiting on it fail as retryable, not at their timeout', async (t) => {
  // A request timeout longer than the test's own: only the periodic check can end this request.
  const { mock, send } = await setup(t, { requestTimeoutMs: 600_000, pingIntervalMs: 100, pingTimeoutMs: 200 })
  t.same(await send(), { kind: 'sent' })
  mock.freezeConnections()
  t.match(await send(), { kind: 'retry', reason: 'ConnectionError' }, 'ended by the health check')
  t.same(await send(), { kind: 'sent' })
  t.equal(mock.connections, 2)
})

t.test('a connection that never completes its handshake is replaced too', async (t) => {
  // Accepts TCP connections and never says a word: no TLS, no HTTP/2 settings, no ping answers.
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => { sockets.add(socket) })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); silent.close(() => resolve()) }))
  const { send } = await setup(t, { requestTimeoutMs: 300, port: (silent.address() as AddressInfo).port })
  t.match(await send(), { kind: 'retry', reason: 'ConnectionError' })
  t.match(await send(), { kind: 'retry', reason: 'ConnectionError' })
  t.equal(sockets.size, 2, 'the second send tried a new connection')
})

// guarantee: apns-session-ping
t.test('an idle session is pinged every 60 s by default; an idle one that stopped answering is replaced', async (t) => {
  const mock = await startApnsMock()
  t.teardown(() => mock.close())
  const key = mock.createKey({ bundles: [BUNDLE] })
  // A request timeout longer than the test's own: only the health check can end a session here.
  const provider = new apn.Provider({
    token: { key: key.privateKeyPem, keyId: key.keyId, teamId: key.teamId },
    production: true,
    connectionRetryLimit: 0,
    requestTimeout: 600_000,
    address: '127.0.0.1',
    port: mock.port,
    ca: [Buffer.from(mock.ca)]
  })
  t.teardown(() => new Promise<void>((resolve) => provider.shutdown(resolve)))
  // The health check's own timer, caught instead of set: firing it stands for 60 s passing.
  const timers: Array<{ fire: () => void, ms: number | undefined }> = []
  const realSetInterval = globalThis.setInterval
  globalThis.setInterval = ((fire: () => void, ms?: number) => {
    timers.push({ fire, ms })
    return realSetInterval(() => {}, 2 ** 31 - 1)
  }) as typeof setInterval
  const health = (() => {
    try { return createApnsSessionHealth(provider, { pingTimeoutMs: 200 }) } finally { globalThis.setInterval = realSetInterval }
  })()
  t.teardown(() => health.stop())
  t.same(timers.map((timer) => timer.ms), [60_000], 'one timer, every 60 s')
  const idle = () => timers[0]!.fire()

  const built = buildApnsNotification({ silent: false, priority: 'HIGH', body: { title: 'hello' } }, BUNDLE)
  if (!built.ok) throw new Error(built.reason)
  t.same((await provider.send(built.notification, token())).failed, [])
  const session = (provider as unknown as { client: { session: ClientHttp2Session } }).client.session
  const acknowledged: Array<Promise<void>> = []
  // Wrapped to see each ping the check sends, and its acknowledgement.
  const ping = session.ping.bind(session) as (callback: PingCallback) => boolean
  session.ping = ((callback: PingCallback) => {
    let answered = () => {}
    acknowledged.push(new Promise<void>((resolve) => { answered = resolve }))
    return ping((...args) => { callback(...args); answered() })
  }) as unknown as ClientHttp2Session['ping']

  idle()
  if (!t.equal(acknowledged.length, 1, 'the idle session is pinged with nothing sent')) return
  await acknowledged[0]
  t.notOk(session.destroyed, 'an answered ping keeps the session')

  mock.freezeConnections()
  idle()
  if (!t.equal(acknowledged.length, 2, 'pinged again')) return
  const closed = await new Promise<Error | undefined>((resolve) => {
    session.once('error', resolve)
    session.once('close', () => resolve(undefined))
  })
  t.match(closed, { code: 'EPINGTIMEOUT' }, 'no acknowledgement within pingTimeoutMs: destroyed')
  t.same((await provider.send(built.notification, token())).failed, [], 'the next send is answered')
  t.equal(mock.connections, 2, 'over a new connection')
})

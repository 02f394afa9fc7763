import { selfSignedCertificate, startFcmMock, type FcmMock } from '@beacon/testkit'
import { constants as h2, createSecureServer, type ServerHttp2Session, type ServerHttp2Stream, type Settings } from 'node:http2'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import t, { type Test } from 'tap'
import type { ApplicationCredentials } from '../../../src/credentials.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'

const device = (token: string, id: number): DeviceTarget => ({ id: BigInt(id), token, platform: 'FCM', environment: null })
let applicationIds = 0

/** A sender to the mock's HTTP/2 endpoint (`ca` trusted when given), prepared for one alert. */
function senderTo (t: Test, fcm: FcmMock, options: { ca: Buffer | null, concurrency?: number, requestTimeoutMs?: number, applicationId?: number }) {
  const account = fcm.createServiceAccount({ projectId: 'over-http2' })
  const credentials: ApplicationCredentials = { id: options.applicationId ?? ++applicationIds, appId: 'over-http2', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const sender = createFcmSender({
    url: new URL(fcm.endpoint),
    ca: options.ca,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    concurrency: options.concurrency ?? 4,
    tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true }
  })
  t.teardown(() => sender.close())
  const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!prepared.ok) throw new Error(prepared.reason)
  return prepared.prepared
}

async function startMock (t: Test) {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  return fcm
}

// Google serves FCM over HTTP/2 and TLS; each device is one stream, answered on its own, on
// connections all sends share (at most 100 streams each, FCM's limit), not one per call.
// guarantee: fcm-http2-shared-connections
t.test('FCM over HTTP/2 and TLS: one stream per device on shared connections of at most 100 streams, trusting the CA given', async (t) => {
  const fcm = await startMock(t)
  const send = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), concurrency: 256 })
  // 250 devices in flight at once: each answer waits, so the streams pile up.
  const targets = Array.from({ length: 250 }, (_, i) => device(`many-${i}:APA91b`, i))
  for (const target of targets) fcm.script(target.token, { kind: 'slow', delayMs: 300 })
  const outcomes = await send.send(targets)
  t.equal(outcomes.filter((outcome) => outcome.kind === 'sent').length, 250)
  t.same(fcm.requestsByProtocol, { 'HTTP/1.1': 0, 'HTTP/2': 250 }, 'every send an HTTP/2 stream over TLS')
  t.equal(fcm.http2Connections.opened, 3, '250 streams at once: three connections of at most 100')

  const again = await send.send([1, 2, 3].map((n) => device(`again-${n}:APA91b`, n)))
  t.same(again.map((outcome) => outcome.kind), ['sent', 'sent', 'sent'])
  t.equal(fcm.http2Connections.opened, 3, 'later sends reuse the open connections')
})

t.test('FCM over TLS with an untrusted certificate: nothing is sent, the send is retryable', async (t) => {
  const fcm = await startMock(t)
  const [outcome] = await senderTo(t, fcm, { ca: null }).send([device('untrusted:APA91b', 1)])
  t.match(outcome, { kind: 'retry', reason: 'app/network-error' })
  t.equal(fcm.counters.requests, 0, 'no request over a connection with an untrusted certificate')
})

t.test("a 429's Retry-After over HTTP/2 reaches the outcome", async (t) => {
  const fcm = await startMock(t)
  fcm.script('throttled:APA91b', { kind: 'rate-limited', retryAfterSeconds: 7 })
  const outcomes = await senderTo(t, fcm, { ca: Buffer.from(fcm.ca) }).send([device('throttled:APA91b', 1), device('fine:APA91b', 2)])
  t.match(outcomes[0], { kind: 'retry', reason: 'message-rate-exceeded', retryAfterMs: 7000 })
  t.same(outcomes[1], { kind: 'sent' })
})

// guarantee: fcm-session-ping
t.test('a connection gone silent is pinged after a request times out, and replaced', async (t) => {
  const fcm = await startMock(t)
  const send = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), requestTimeoutMs: 400 })
  t.same(await send.send([device('before:APA91b', 1)]), [{ kind: 'sent' }])
  t.equal(fcm.http2Connections.opened, 1)
  // A black hole behind a live TCP socket: no answer, no PING acknowledgement, no close.
  fcm.freezeHttp2Connections()
  const [lost] = await send.send([device('into-the-void:APA91b', 2)])
  t.match(lost, { kind: 'retry', reason: 'app/network-timeout' })
  // Pinged now, it takes no new streams until it answers (test/senders/fcm/fcm-sessions.test.ts:
  // destroyed when it does not).
  t.same(await send.send([device('after:APA91b', 3)]), [{ kind: 'sent' }], 'the next send goes over a new connection')
  t.equal(fcm.http2Connections.opened, 2)
})

/**
 * An HTTP/2 FCM endpoint of the test's own (the mock's token endpoint still grants the tokens):
 * each request answered by `behave`, given the registration token it carries.
 */
async function startEndpoint (t: Test, behave: (token: string, stream: ServerHttp2Stream, sockets: Set<Socket>) => void, settings: Settings = {}) {
  const tls = await selfSignedCertificate()
  const server = createSecureServer({ cert: tls.cert, key: tls.key, settings })
  const sockets = new Set<Socket>()
  const sessions = new Set<ServerHttp2Session>()
  let received = 0
  server.on('connection', (socket: Socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)) })
  server.on('session', (session) => { sessions.add(session); session.on('error', () => {}) })
  server.on('stream', (stream) => {
    stream.on('error', () => {})
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => {
      received++
      const token = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message: { token: string } }).message.token
      behave(token, stream, sockets)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const session of sessions) session.destroy()
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  return { url: `https://localhost:${(server.address() as AddressInfo).port}`, ca: Buffer.from(tls.cert), sessions, get received () { return received } }
}

/** `promise`'s value, or 'never settled' after `ms`. */
async function settledWithin<T> (promise: Promise<T>, ms: number): Promise<T | 'never settled'> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'never settled'>((resolve) => { timer = setTimeout(() => resolve('never settled'), ms) })
  return await Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

const answer = (stream: ServerHttp2Stream) => {
  if (stream.closed) return
  stream.respond({ ':status': 200, 'content-type': 'application/json' })
  stream.end(JSON.stringify({ name: 'projects/p/messages/1' }))
}

/** A sender for `endpoint` with the mock's service account and token endpoint. */
function senderFor (t: Test, fcm: FcmMock, endpoint: { url: string, ca: Buffer }, options: { concurrency: number, requestTimeoutMs: number }) {
  const account = fcm.createServiceAccount({ projectId: 'own-endpoint' })
  const credentials: ApplicationCredentials = { id: ++applicationIds, appId: 'own-endpoint', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const sender = createFcmSender({ url: new URL(endpoint.url), ca: endpoint.ca, ...options, tokenEndpoints: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true } })
  t.teardown(() => sender.close())
  const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!prepared.ok) throw new Error(prepared.reason)
  return { sender, send: prepared.prepared }
}

// Node closes a client stream without an 'error' (and clears its timeout) when the server resets
// it with NO_ERROR or CANCEL or the connection ends cleanly; firebase-admin's request would then
// never settle, and the device would hold its request slot and claim for good.
t.test('a stream FCM closes without an answer settles as a retry, and frees its slot', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (token, stream, sockets) => {
    if (token.startsWith('cancel')) stream.close(h2.NGHTTP2_CANCEL)
    else if (token.startsWith('no-error')) stream.close(h2.NGHTTP2_NO_ERROR)
    else if (token.startsWith('connection-end')) for (const socket of sockets) socket.end()
    else answer(stream)
  })
  // One request at a time: a request that never settled would hold the only slot.
  const { send } = senderFor(t, fcm, endpoint, { concurrency: 1, requestTimeoutMs: 5_000 })
  const outcomes = await settledWithin(send.send(['cancel', 'no-error', 'connection-end', 'answered'].map((name, i) => device(`${name}:APA91b`, i))), 3_000)
  t.match(outcomes, [
    { kind: 'retry', reason: 'app/network-error' },
    { kind: 'retry', reason: 'app/network-error' },
    { kind: 'retry', reason: 'app/network-error' },
    { kind: 'sent' }
  ])
})

t.test("a server allowing fewer than 100 streams: the sender keeps to its SETTINGS, nothing waits in Node's queue or is refused", async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => { setTimeout(() => answer(stream), 300) }, { maxConcurrentStreams: 2 })
  const { send } = senderFor(t, fcm, endpoint, { concurrency: 10, requestTimeoutMs: 1_000 })
  t.same(await send.send([device('first:APA91b', 0)]), [{ kind: 'sent' }], 'a first connection learns the limit')
  // Ten at once, 300 ms each: queued two by two on one connection, the last would wait 1.5 s.
  const outcomes = await send.send(Array.from({ length: 10 }, (_, i) => device(`many-${i}:APA91b`, i)))
  t.same(outcomes.map((outcome) => outcome.kind), Array(10).fill('sent'))
  t.equal(endpoint.received, 11, 'each request sent once')
  t.equal(endpoint.sessions.size, 5, 'two streams per connection')
})

t.test('a send after the sender closed, or waiting for a slot as it closes, is a retry: it was never sent', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => { setTimeout(() => answer(stream), 200) })
  const { sender, send } = senderFor(t, fcm, endpoint, { concurrency: 1, requestTimeoutMs: 5_000 })
  t.same(await send.send([device('warm:APA91b', 0)]), [{ kind: 'sent' }])
  const inFlight = send.send([device('answered-late:APA91b', 1), device('waiting:APA91b', 2)])
  await new Promise((resolve) => setTimeout(resolve, 50))
  await sender.close()
  const outcomes = await inFlight
  t.equal(outcomes[1]?.kind, 'retry', 'the device waiting for the slot')
  t.not(outcomes[0]?.kind, 'rejected', 'the device in flight at close is not given up as refused')
  t.match(await send.send([device('after:APA91b', 3)]), [{ kind: 'retry' }])
})

t.test('a connection whose server then allows no streams takes none: the next send opens another', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => answer(stream))
  const { send } = senderFor(t, fcm, endpoint, { concurrency: 4, requestTimeoutMs: 1_000 })
  t.same(await send.send([device('first:APA91b', 0)]), [{ kind: 'sent' }])
  const [first] = endpoint.sessions
  for (const session of endpoint.sessions) session.settings({ maxConcurrentStreams: 0 })
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(await send.send([device('second:APA91b', 1)]), [{ kind: 'sent' }], 'not queued behind a limit of 0 until its timeout')
  t.equal(endpoint.sessions.size, 2)
  // Retired, the useless connection is closed (it had no stream left), not kept open for good.
  t.ok(first!.closed || first!.destroyed, 'the connection allowing no streams was closed')
})

// The stream slot is taken when firebase-admin opens the stream, after its access token: a slow
// token endpoint holds no slot, and opens no connection before there is something to send on it.
t.test('no connection is taken while the access token is being fetched', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => answer(stream))
  let grant!: () => void
  const granted = new Promise<void>((resolve) => { grant = resolve })
  let tokenAsked!: () => void
  const asked = new Promise<void>((resolve) => { tokenAsked = resolve })
  // A token endpoint that answers only when told (the endpoint above takes any bearer token).
  const tokens = createHttpServer((req, res) => {
    req.resume()
    req.on('end', () => {
      tokenAsked()
      granted.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.slow', expires_in: 3600, token_type: 'Bearer' })), () => {})
    })
  })
  await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { tokens.closeAllConnections(); tokens.close(() => resolve()) }))
  const tokenUri = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`
  const account = { ...fcm.createServiceAccount({ projectId: 'slow-token' }), token_uri: tokenUri }
  const credentials: ApplicationCredentials = { id: ++applicationIds, appId: 'slow-token', version: 1, apns: null, fcm: { projectId: account.project_id, serviceAccount: account } }
  const sender = createFcmSender({ url: new URL(endpoint.url), ca: endpoint.ca, requestTimeoutMs: 5_000, concurrency: 4, tokenEndpoints: { allowedUris: [tokenUri], allowPrivateNetworks: true } })
  t.teardown(() => sender.close())
  const prepared = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!prepared.ok) throw new Error(prepared.reason)
  const sending = prepared.prepared.send([device('patient:APA91b', 1)])
  await asked
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(endpoint.sessions.size, 0, 'no connection while the token is awaited')
  grant()
  t.same(await sending, [{ kind: 'sent' }])
  t.equal(endpoint.sessions.size, 1)
})

t.test('two senders in one process each send for the same application', async (t) => {
  const fcm = await startMock(t)
  // firebase-admin names apps process-wide: the second sender's app for application 1 at version 1
  // must not take the first's name.
  const applicationId = ++applicationIds
  const first = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), applicationId })
  const second = senderTo(t, fcm, { ca: Buffer.from(fcm.ca), applicationId })
  t.same((await first.send([device('first:APA91b', 1)])).map((outcome) => outcome.kind), ['sent'])
  t.same((await second.send([device('second:APA91b', 2)])).map((outcome) => outcome.kind), ['sent'])
})

t.test('a Retry-After that is not a number of seconds (an HTTP date) is not a wait: the backoff decides', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => {
    stream.respond({ ':status': 429, 'content-type': 'application/json', 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })
    stream.end(JSON.stringify({ error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } }))
  })
  const { send } = senderFor(t, fcm, endpoint, { concurrency: 1, requestTimeoutMs: 2_000 })
  const [outcome] = await send.send([device('dated:APA91b', 1)])
  t.match(outcome, { kind: 'retry', reason: 'message-rate-exceeded' })
  t.notOk(outcome !== undefined && 'retryAfterMs' in outcome, 'no retryAfterMs (not NaN)')
})

// A 404 that is not JSON (a proxy's or a misrouted FCM_ENDPOINT's page) says nothing of the
// token: firebase-admin makes it messaging/unknown-error, retried, and the device is kept.
// guarantee: invalid-tokens-deleted
t.test('a 404 answered as an HTML page is retried as unknown-error: the device is not taken for unregistered', async (t) => {
  const fcm = await startMock(t)
  const endpoint = await startEndpoint(t, (_token, stream) => {
    stream.respond({ ':status': 404, 'content-type': 'text/html; charset=UTF-8' })
    stream.end('<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>')
  })
  const { send } = senderFor(t, fcm, endpoint, { concurrency: 4, requestTimeoutMs: 2_000 })
  const [outcome] = await send.send([device('behind-a-proxy:APA91b', 1)])
  t.match(outcome, { kind: 'retry', reason: 'unknown-error' })
  t.equal(endpoint.received, 1, 'the request reached the endpoint')
})

import { startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import WebSocket from 'ws'
import { callbacksSettled } from '../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, key, listen, pushTo, secret, setupDeveloper, tokenFor, until } from './helper.js'

// The push fallback stays out of the way unless a test wants it.
const env = { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '60000' }
const alice = `alice@${CARRIER}`

t.test('a connected user gets the message live; the ack is recorded once and calls back im.delivered; no push', async (t) => {
  const hooks = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => hooks.close())
  const { app, config } = await buildApp(t, localCallbackEnv)
  await setupDeveloper(app, { callbackUrl: hooks.url('/hooks') })
  const client = await connect(t, await listen(app), await tokenFor(app, alice))

  const requestId = await pushTo(app, alice, { content: 'hello', sender: 'bob@carrier.example', push: { content: 'push text' } })
  const [frame] = await client.until(1)
  t.match(frame, { type: 'message', id: requestId, content: 'hello', sender: 'bob@carrier.example' })
  t.ok(Number.isFinite(Date.parse(String(frame?.timestamp))), 'the frame has a timestamp')

  client.send({ type: 'ack', id: requestId })
  client.send({ type: 'ack', id: requestId })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt !== null, 'the ack')

  // Its push falls due (moved into the past rather than waited for), and so does a control
  // message, unacknowledged, due after it: the poller claims due messages in order of their due
  // time, so once the control is claimed the acknowledged one has been passed over.
  const control = await pushTo(app, `bob@${CARRIER}`, { content: 'control', push: { content: 'control push' } })
  await app.db.inboxMessage.update({ where: { id: requestId }, data: { pushDueAt: new Date(Date.now() - 2000) } })
  await app.db.inboxMessage.update({ where: { id: control }, data: { pushDueAt: new Date(Date.now() - 1000) } })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: control } })).pushMessageId !== null, 'the control\'s push')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).pushMessageId, null, 'no push sent')
  t.equal(await app.db.message.count(), 1, 'the control\'s push message only')

  await callbacksSettled(app, config)
  const received = hooks.received()
  t.ok(received.every((callback) => callback.verified), 'the callbacks are signed')
  const events = received.map((callback) => JSON.parse(callback.body) as Record<string, unknown>)
  t.same(events.map(({ eventId, event, to }) => [eventId, event, to]), [[`${requestId}:im.delivered`, 'im.delivered', alice]], 'one callback for two acks')
})

t.test('two sockets of one user both receive; another user does not', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const base = await listen(app)
  const first = await connect(t, base, await tokenFor(app, alice))
  const second = await connect(t, base, await tokenFor(app, alice))
  const bob = await connect(t, base, await tokenFor(app, `bob@${CARRIER}`))
  const requestId = await pushTo(app, alice, { content: 'to both' })
  t.match((await first.until(1))[0], { id: requestId, content: 'to both' })
  t.match((await second.until(1))[0], { id: requestId, content: 'to both' })
  // Bob's own message takes the same path after alice's: had hers reached him, it came first.
  const bobs = await pushTo(app, `bob@${CARRIER}`, { content: 'for bob' })
  await bob.until(1)
  t.same(bob.frames.map((f) => f.id), [bobs], 'bob got his own message only')
})

t.test('a user connected to a second api instance gets a message posted to the first', async (t) => {
  const a = await buildApp(t, env)
  const b = await buildApp(t, { ...env, DATABASE_URL: a.databaseUrl, NATS_PREFIX: a.config.nats.prefix, MASTER_KEY: a.config.masterKey.toString('base64') })
  await setupDeveloper(a.app)
  // Tokens are stateless: one issued by a is accepted by b.
  const client = await connect(t, await listen(b.app), await tokenFor(a.app, alice))
  const requestId = await pushTo(a.app, alice, { content: 'across instances' })
  t.match((await client.until(1))[0], { id: requestId, content: 'across instances' })
  client.send({ type: 'ack', id: requestId })
  await until(async () => (await a.app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt !== null, 'the ack')
})

// guarantee: inapp-replay-on-connect
t.test('an offline user gets what is unacknowledged and unexpired on connect, oldest first', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const first = await pushTo(app, alice, { content: 'one' })
  const second = await pushTo(app, alice, { content: 'two' })
  const acked = await pushTo(app, alice, { content: 'acked' })
  const expired = await pushTo(app, alice, { content: 'expired' })
  await pushTo(app, `bob@${CARRIER}`, { content: 'not for alice' })
  await app.db.inboxMessage.update({ where: { id: acked }, data: { acknowledgedAt: new Date() } })
  await app.db.inboxMessage.update({ where: { id: expired }, data: { expiresAt: new Date(Date.now() - 1000) } })

  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  await client.until(2)
  // The replay is written at once; a live message after it on the same socket closes the list.
  const live = await pushTo(app, alice, { content: 'live' })
  await client.until(3)
  t.same(client.frames.map((f) => f.id), [first, second, live], 'only the pending ones, in order, then the live one')
  t.same(client.frames.map((f) => f.content), ['one', 'two', 'live'])
})

// guarantee: inapp-bad-frame-keeps-socket
t.test('malformed frames get an error frame and the socket stays open; acks of others\' messages change nothing', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const base = await listen(app)
  const bobsMessage = await pushTo(app, `bob@${CARRIER}`, { content: 'for bob' })
  const client = await connect(t, base, await tokenFor(app, alice))
  for (const frame of ['not json', '{"type":"ack"}', '{"type":"ack","id":"nope"}', '{"type":"read","id":"x"}', '[]']) client.send(frame)
  const errors = await client.until(5)
  t.ok(errors.every((f) => f.type === 'error' && typeof f.message === 'string'), JSON.stringify(errors))
  client.send({ type: 'ack', id: bobsMessage })
  // Alice's own message still works on the same socket, and her ack, sent after the one of bob's
  // message, is recorded after it: by then bob's was handled.
  const mine = await pushTo(app, alice, { content: 'mine' })
  await client.until(6)
  client.send({ type: 'ack', id: mine })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: mine } })).acknowledgedAt !== null, 'alice\'s ack')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: bobsMessage } })).acknowledgedAt, null, 'bob\'s message is not acknowledged by alice')
  t.same(client.frames.map((f) => f.type), ['error', 'error', 'error', 'error', 'error', 'message'], 'no answer to the ack of bob\'s message')
  t.equal(client.socket.readyState, WebSocket.OPEN, 'still open')
})

// guarantee: connect-refused-before-upgrade, connect-without-upgrade
t.test('a missing, bad or expired token is refused before the upgrade with a 401 JSON body', async (t) => {
  const { app, config } = await buildApp(t, env)
  const { applicationId, developerId } = await setupDeveloper(app)
  const base = (await listen(app)).replace(/^ws/, 'http')
  const expired = app.inApp.tokens.issue({ applicationId, userId: 'alice', developerId, tokenEpoch: 0 }, new Date(Date.now() - (config.signedApi.inAppTokenTtlSeconds + 5) * 1000)).token
  const good = await tokenFor(app, alice)
  const tampered = good.replace(/^eyJ./, (p) => p.slice(0, 3) + (p[3] === 'A' ? 'B' : 'A'))
  for (const query of ['', '?token=', '?token=garbage', `?token=${expired}`, `?token=${tampered}`, `?token=${good}x`, `?token=${good}&token=${good}`]) {
    const status = await rawUpgradeStatus(base, `/api/1.0/im/connect${query}`)
    t.equal(status.code, 401, `${query.slice(0, 40)}: ${status.body}`)
    t.match(JSON.parse(status.body), { error: { status: 401, code: 40100 } })
  }
  // The same token as a Bearer header is accepted.
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/1.0/im/connect`, { headers: { authorization: `Bearer ${good}` } })
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  socket.close()
  // A plain GET (no upgrade) with a good token is told to upgrade.
  const plain = await fetch(`${base}/api/1.0/im/connect?token=${good}`)
  t.equal(plain.status, 426)
})

/** The status line and body a WebSocket handshake gets when it is refused. */
async function rawUpgradeStatus (base: string, path: string): Promise<{ code: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + path)
    socket.once('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => { body += chunk.toString() })
      response.on('end', () => resolve({ code: response.statusCode ?? 0, body }))
    })
    socket.once('open', () => { socket.close(); reject(new Error('the upgrade was accepted')) })
    socket.once('error', (error) => reject(error))
  })
}

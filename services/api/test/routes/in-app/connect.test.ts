import { startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import WebSocket from 'ws'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, key, listen, pushTo, secret, setupDeveloper, sleep, tokenFor, until } from './helper.js'

// The push fallback stays out of the way unless a test wants it.
const env = { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '60000' }
const alice = `alice@${CARRIER}`

t.test('a connected user gets the message live; the ack is recorded once and calls back im.delivered; no push', async (t) => {
  const hooks = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => hooks.close())
  const { app } = await buildApp(t, { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '300' })
  await setupDeveloper(app, { callbackUrl: hooks.url('/hooks') })
  const client = await connect(t, await listen(app), await tokenFor(app, alice))

  const requestId = await pushTo(app, alice, { content: 'hello', sender: 'bob@carrier.example', push: { content: 'push text' } })
  const [frame] = await client.until(1)
  t.match(frame, { type: 'message', id: requestId, content: 'hello', sender: 'bob@carrier.example' })
  t.ok(Number.isFinite(Date.parse(String(frame?.timestamp))), 'the frame has a timestamp')

  client.send({ type: 'ack', id: requestId })
  client.send({ type: 'ack', id: requestId })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt !== null, 'the ack')
  const received = await hooks.until((r) => r.length >= 1)
  t.ok(received[0]?.verified, 'the callback is signed')
  t.match(JSON.parse(received[0]?.body ?? '{}'), { eventId: `${requestId}:im.delivered`, event: 'im.delivered', requestId, to: alice })

  await sleep(1000) // past the ack timeout: the fallback must not push an acknowledged message
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })
  t.equal(stored.pushMessageId, null, 'no push sent')
  t.equal(await app.db.message.count(), 0)
  t.equal(hooks.received().length, 1, 'one callback for two acks')
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
  await sleep(200)
  t.equal(bob.frames.length, 0)
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
  const frames = await client.until(2)
  await sleep(200)
  t.same(client.frames.map((f) => f.id), [first, second], 'only the pending ones, in order')
  t.same(frames.map((f) => f.content), ['one', 'two'])
})

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
  await sleep(300)
  t.equal(client.socket.readyState, WebSocket.OPEN, 'still open')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: bobsMessage } })).acknowledgedAt, null, 'bob\'s message is not acknowledged by alice')
  // Alice's own message still works on the same socket.
  const mine = await pushTo(app, alice, { content: 'mine' })
  await client.until(6)
  client.send({ type: 'ack', id: mine })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: mine } })).acknowledgedAt !== null, 'alice\'s ack')
})

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

t.test('the token never reaches the log, though the query carries it', async (t) => {
  const built = await buildApp(t, env, { captureLogs: true })
  await setupDeveloper(built.app)
  const token = await tokenFor(built.app, alice)
  const client = await connect(t, await listen(built.app), token)
  await pushTo(built.app, alice, { content: 'hi' })
  await client.until(1)
  client.socket.close()
  await sleep(100)
  t.ok(built.logs().length > 0, 'something was logged')
  t.notOk(built.logs().includes(token.split('.')[1] ?? token), 'no token signature in the log')
  t.match(built.logs(), /"url":"\/api\/1\.0\/im\/connect\?token=\[redacted\]"/, 'the connection is logged, its token redacted')
})

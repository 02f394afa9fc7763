import t from 'tap'
import WebSocket from 'ws'
import { MAX_CLIENT_ERRORS_PER_MINUTE } from '../../../src/domain/in-app/session.js'
import { InAppSockets } from '../../../src/domain/in-app/sockets.js'
import { buildApp } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, serverSocket, setupDeveloper, sleep, storeBacklog, tcpOf, tokenFor, until, upgradeStatus } from './helper.js'

const env = { INAPP_ACK_TIMEOUT_MS: '600000' }
const alice = `alice@${CARRIER}`

// guarantee: inapp-connect-limits
t.test('connects are limited per address and per token, with a 429 in the signed API\'s body', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_CONNECTS_PER_MINUTE: '4', INAPP_CONNECTS_PER_TOKEN_PER_MINUTE: '2' })
  await setupDeveloper(app)
  const base = await listen(app)
  const token = await tokenFor(app, alice)
  t.equal((await upgradeStatus(base, token)).status, 101)
  t.equal((await upgradeStatus(base, token)).status, 101)
  const perToken = await upgradeStatus(base, token)
  t.equal(perToken.status, 429, 'the third connect with one token')
  t.match(perToken.body, { error: { status: 429, code: 42900, message: /with this token/ } })
  t.match(perToken.retryAfter, /^\d+$/)
  t.equal((await upgradeStatus(base, await tokenFor(app, `bob@${CARRIER}`))).status, 101, 'another token still connects')
  const perAddress = await upgradeStatus(base, await tokenFor(app, `carol@${CARRIER}`))
  t.equal(perAddress.status, 429, 'the fifth connect from one address')
  t.match(perAddress.body, { error: { status: 429, code: 42900, message: /from this address/ } })
})

// guarantee: inapp-sockets-per-user, inapp-sockets-per-token
t.test('beyond the sockets allowed per user and per token, the oldest is closed', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_SOCKETS_PER_USER: '2', INAPP_SOCKETS_PER_TOKEN: '1' })
  const { developerId, applicationId } = await setupDeveloper(app)
  const base = await listen(app)
  const alices = { applicationId, userId: 'alice', developerId }

  const shared = await tokenFor(app, alice)
  const first = await connect(t, base, shared)
  const second = await connect(t, base, shared)
  t.same(await first.closed, { code: 4008, reason: 'too many connections: replaced by a newer one' }, 'one socket per token: the older goes')
  const third = await connect(t, base, await tokenFor(app, alice))
  const fourth = await connect(t, base, await tokenFor(app, alice))
  t.same(await second.closed, { code: 4008, reason: 'too many connections: replaced by a newer one' }, 'two sockets per user: the oldest goes')
  await until(() => app.inApp.sockets.count(alices) === 2, 'two sockets left')
  const id = await pushTo(app, alice, { content: 'to the survivors' })
  await third.until(1)
  await fourth.until(1)
  t.same([third.frames[0]?.id, fourth.frames[0]?.id], [id, id], 'the newest two still get messages')
})

// guarantee: inapp-sockets-per-developer
t.test('beyond the sockets allowed per developer, a connect is refused before its upgrade; another developer still connects', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_SOCKETS_PER_DEVELOPER: '2' })
  await setupDeveloper(app)
  const other = await setupDeveloper(app, { developerKey: 'other-key-0123456789' })
  const base = await listen(app)
  // Tokens for made-up users: what a developer that means harm can mint for any user of its carriers.
  const first = await connect(t, base, await tokenFor(app, `u1@${CARRIER}`))
  await connect(t, base, await tokenFor(app, `u2@${CARRIER}`))
  const refused = await upgradeStatus(base, await tokenFor(app, `u3@${CARRIER}`))
  t.equal(refused.status, 429, 'the third socket of the developer')
  t.match(refused.body, { error: { status: 429, code: 42900, message: /too many connections open for this developer/ } })
  t.match(refused.retryAfter, /^\d+$/)
  t.equal(app.inApp.sockets.openFor(other.developerId), 0)
  t.equal((await upgradeStatus(base, await tokenFor(app, `u3@${CARRIER}`, 'other-key-0123456789'))).status, 101, 'another developer is not affected')
  first.socket.close()
  await first.closed
  await until(() => app.inApp.sockets.size === 1, 'the first socket gone (the other developer\'s closed itself)')
  t.equal((await upgradeStatus(base, await tokenFor(app, `u3@${CARRIER}`))).status, 101, 'a place freed, a connect passes again')
})

// guarantee: inapp-sockets-max
t.test('beyond the sockets allowed on the instance, every developer\'s connect is refused with 503 before its upgrade', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_SOCKETS_MAX: '2' })
  await setupDeveloper(app)
  await setupDeveloper(app, { developerKey: 'other-key-0123456789' })
  const base = await listen(app)
  await connect(t, base, await tokenFor(app, `u1@${CARRIER}`))
  await connect(t, base, await tokenFor(app, `u1@${CARRIER}`, 'other-key-0123456789'))
  for (const developerKey of [undefined, 'other-key-0123456789']) {
    const refused = await upgradeStatus(base, await tokenFor(app, `u2@${CARRIER}`, developerKey))
    t.equal(refused.status, 503, `${developerKey ?? 'the first developer'}: the third socket of the instance`)
    t.match(refused.body, { error: { status: 503, message: /as many in-app connections open as it takes/ } })
    t.match(refused.retryAfter, /^\d+$/)
  }
})

// guarantee: inapp-acks-per-minute
t.test('acknowledgements over the rate are answered with an error frame and not recorded', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_ACKS_PER_MINUTE: '2' })
  await setupDeveloper(app)
  const ids = [await pushTo(app, alice, { content: 'one' }), await pushTo(app, alice, { content: 'two' }), await pushTo(app, alice, { content: 'three' })]
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  await client.until(3)
  for (const id of ids) client.send({ type: 'ack', id })
  await client.until(4)
  t.match(client.frames[3], { type: 'error', message: new RegExp(`too many acknowledgements; ${ids[2]} was not recorded`) })
  await until(async () => (await app.db.inboxMessage.count({ where: { acknowledgedAt: { not: null } } })) === 2, 'the two acks within the rate')
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: ids[2] } })
  t.equal(stored.acknowledgedAt, null, 'the third is left for a later ack (or the fallback)')
})

// guarantee: inapp-slow-reader-disconnected
t.test('a socket that does not read holds its replay back, and is closed as a slow consumer once live messages pile up', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_MAX_BUFFERED_BYTES: String(32 * 1024) })
  const { developerId, applicationId } = await setupDeveloper(app)
  const alices = { applicationId, userId: 'alice', developerId }
  // 500 messages of ~12 KB (4096 three-byte characters): 6 MB to replay, more than the kernel's
  // buffers of a socket nobody reads take in.
  await storeBacklog(app, alices, 500, '€'.repeat(4096))
  const socket = new WebSocket(`${await listen(app)}/api/1.0/im/connect?token=${encodeURIComponent(await tokenFor(app, alice))}`)
  t.teardown(() => socket.terminate())
  socket.once('open', () => tcpOf(socket).pause()) // reads nothing more
  const closed = new Promise<number>((resolve) => socket.once('close', resolve))
  await until(() => app.inApp.sockets.count(alices) === 1, 'the socket registered')
  const server = serverSocket(app)
  await until(() => server.bufferedAmount > 0, 'the kernel\'s buffers full: the api holds unsent data', 30_000)
  await sleep(500)
  t.ok(server.bufferedAmount <= 32 * 1024, `the replay waits with at most a frame unsent (${server.bufferedAmount} bytes), not its backlog`)
  t.equal(app.inApp.sockets.count(alices), 1, 'and the socket stays: its client may read yet')
  // A live message does not wait. Each is 12 KB (4096 three-byte characters), counted in bytes:
  // at most three pass the 32 KiB limit, whatever the replay left unsent (at most half of it).
  let live = 0
  while (live < 10 && app.inApp.sockets.count(alices) > 0) {
    const before = server.bufferedAmount
    await pushTo(app, alice, { content: '€'.repeat(4096) })
    live++
    await until(() => app.inApp.sockets.count(alices) === 0 || server.bufferedAmount > before, `live message ${live} written or refused`)
  }
  t.equal(app.inApp.sockets.count(alices), 0, 'the slow socket dropped')
  t.ok(live <= 3, `by live message ${live}`)
  tcpOf(socket).resume() // now it reads what was sent and learns the connection is gone
  t.equal(await closed, 1006, 'terminated, not closed politely: its buffer is what is full')
})

// guarantee: inapp-client-error-budget
t.test('a client that keeps sending bad frames gets 100 error answers a minute, then is closed (1008)', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app)
  const url = await listen(app)
  const client = await connect(t, url, await tokenFor(app, alice))
  const other = await connect(t, url, await tokenFor(app, `bob@${CARRIER}`))
  for (let i = 0; i < MAX_CLIENT_ERRORS_PER_MINUTE; i++) client.send('x')
  await client.until(MAX_CLIENT_ERRORS_PER_MINUTE)
  t.ok(client.frames.every((frame) => frame.type === 'error'), 'each answered')
  t.equal(client.socket.readyState, WebSocket.OPEN, 'and the socket stays open while the budget lasts')
  client.send('x')
  t.same(await client.closed, { code: 1008, reason: 'too many bad frames' }, 'one more closes it')
  t.equal(client.frames.length, MAX_CLIENT_ERRORS_PER_MINUTE, 'without a further answer')
  other.send('x')
  await other.until(1)
  t.equal(other.frames[0]?.type, 'error', 'another socket\'s budget is its own: answered')
  t.equal(other.socket.readyState, WebSocket.OPEN, 'and open')
  await until(() => app.inApp.sockets.count({ applicationId, userId: 'alice', developerId }) === 0, 'the registry forgets it')
})

t.test('a token for the longest username (255 three-byte characters) opens the channel', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const token = await tokenFor(app, `${'あ'.repeat(255)}@${CARRIER}`)
  t.ok(token.length > 1024, `${token.length} characters`)
  const client = await connect(t, await listen(app), token)
  t.equal(client.socket.readyState, WebSocket.OPEN)
})

t.test('the registry\'s write refuses and terminates a socket over the buffered limit (unit)', async (t) => {
  let slow = 0
  const sockets = new InAppSockets({ perUser: 8, perToken: 4, maxBufferedBytes: 100 }, () => { slow++ })
  const sent: string[] = []
  let terminated = false
  const fake = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (text: string) => { sent.push(text) }, terminate: () => { terminated = true }, on () {}, once () {} }
  const grant = { applicationId: 1, userId: 'u', developerId: 1, tokenEpoch: 0 }
  const socket = fake as unknown as WebSocket
  t.ok(sockets.write(socket, grant, 'x'.repeat(60)), 'under the limit: sent')
  fake.bufferedAmount = 60
  t.notOk(sockets.write(socket, grant, 'x'.repeat(60)), 'over it: refused')
  t.same([sent.length, terminated, slow], [1, true, 1], 'terminated and reported once')
})

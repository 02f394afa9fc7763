import t from 'tap'
import WebSocket from 'ws'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, setupDeveloper, signedPost, until, upgradeStatus } from './helper.js'

const env = { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '60000' }

// The token is checked when the socket opens (and the developer's standing, on every change and
// keep-alive round); its expiry alone closes nothing.
// guarantee: socket-open-after-token-expiry
t.test('an open socket stays open after its token expires: live messages still arrive and acks count', async (t) => {
  const { app, config } = await buildApp(t, env)
  const { applicationId, developerId } = await setupDeveloper(app)
  const base = await listen(app)
  // The token expired a minute ago by the real clock, and is verified at connect against the clock
  // it was issued by (the route verifies with the real one): no race between the connect and the
  // expiry, and no wait for it. Every check after the connect reads the real clock, which is past
  // the expiry, as it would be for a token that expired after the socket opened.
  const issuedAt = new Date(Date.now() - (config.signedApi.inAppTokenTtlSeconds + 60) * 1000)
  const { token, expiresAt } = app.inApp.tokens.issue({ applicationId, userId: 'alice', developerId, tokenEpoch: 0 }, issuedAt)
  const verify = app.inApp.tokens.verify.bind(app.inApp.tokens)
  let verifyAt: Date | undefined = issuedAt
  app.inApp.tokens.verify = (token, now) => verify(token, now ?? verifyAt)
  const client = await connect(t, base, token)
  verifyAt = undefined
  let closed = false
  client.socket.on('close', () => { closed = true })

  t.ok(expiresAt.getTime() < Date.now(), 'the token is past its expiry')
  t.equal((await upgradeStatus(base, token)).status, 401, 'the token is expired: a new connect with it is refused')
  // A keep-alive round checks the open sockets again; a message after it shows the socket survived it.
  await app.inApp.recheck()
  app.inApp.sockets.ping()
  const requestId = await pushTo(app, `alice@${CARRIER}`, { content: 'after expiry' })
  t.match((await client.until(1))[0], { type: 'message', id: requestId, content: 'after expiry' }, 'a live message arrives')
  client.send({ type: 'ack', id: requestId })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })).acknowledgedAt !== null, 'the ack')
  t.notOk(closed, 'never closed')
  t.equal(client.socket.readyState, WebSocket.OPEN)
})

// guarantee: inapp-token-ttl
t.test('a token from im/token is good for INAPP_TOKEN_TTL_SECONDS, and refused from then on', async (t) => {
  const { app } = await buildApp(t, { ...env, INAPP_TOKEN_TTL_SECONDS: '10' })
  await setupDeveloper(app)
  const before = Date.now()
  const response = await signedPost(app, '/api/1.0/im/token', { user: `alice@${CARRIER}` })
  t.equal(response.statusCode, 200, response.body)
  const { token, expiresAt } = response.json() as { token: string, expiresAt: string }
  const expiry = Date.parse(expiresAt)
  // The token carries epoch seconds: issued within the request, its expiry is 10 s on, in whole seconds.
  t.ok(expiry - 10_000 >= Math.floor(before / 1000) * 1000 && expiry - 10_000 <= Date.now(), `expires 10 s after its issue (${expiry - before} ms after the request began)`)
  t.match(app.inApp.tokens.verify(token, new Date(expiry - 1000)), { ok: true }, 'honoured until its expiry')
  t.same(app.inApp.tokens.verify(token, new Date(expiry)), { ok: false, reason: 'token expired' }, 'refused at it')
})

import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { MAX_IN_APP_TOKEN_LENGTH, type SendCommand } from '@beacon/contracts'
import t from 'tap'
import WebSocket from 'ws'
import { createInAppTokens } from '../../../src/domain/in-app/token.js'
import { buildApp } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, setupDeveloper, tokenFor, until } from '../../routes/in-app/helper.js'

const alice = `alice@${CARRIER}`

// guarantee: inapp-token-scope, inapp-token-exact
t.test('tokens: stateless, bound to the master key, expiring, tamper-evident', async (t) => {
  const masterKey = randomBytes(32)
  const tokens = createInAppTokens(masterKey, 60)
  const now = new Date('2026-01-01T00:00:00Z')
  const grant = { applicationId: 3, userId: 'alice', developerId: 5, tokenEpoch: 3 }
  const { token, expiresAt } = tokens.issue(grant, now)
  t.equal(expiresAt.toISOString(), '2026-01-01T00:01:00.000Z')
  t.same(tokens.verify(token, new Date(now.getTime() + 59_000)), { ok: true, grant })
  t.same(createInAppTokens(Buffer.from(masterKey), 60).verify(token, now), { ok: true, grant }, 'another instance with the same key accepts it')
  t.match(tokens.verify(token, new Date(now.getTime() + 60_000)), { ok: false, reason: 'token expired' })
  t.match(createInAppTokens(randomBytes(32), 60).verify(token, now), { ok: false, reason: 'token signature mismatch' })

  const [payload, signature] = token.split('.') as [string, string]
  const forged = Buffer.from(JSON.stringify({ a: 3, u: 'bob', d: 5, v: grant.tokenEpoch, e: 1_900_000_000 })).toString('base64url')
  t.match(tokens.verify(`${forged}.${signature}`, now), { ok: false }, 'another user under the same signature')
  const otherDeveloper = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), d: 6 })).toString('base64url')
  t.match(tokens.verify(`${otherDeveloper}.${signature}`, now), { ok: false, reason: 'token signature mismatch' }, 'another developer under the same signature')
  for (const bad of ['', 'x', `${payload}`, `${payload}.${signature}.x`, `${payload}.${signature.slice(1)}`, 'a'.repeat(2000), `${payload}.!!!`]) {
    t.match(tokens.verify(bad, now), { ok: false }, bad.slice(0, 30))
  }
  // Other spellings of the same signature bytes (Node's base64url decoder reads them all as the
  // same 32 bytes): each would count as a token of its own for the limits per token.
  // The last of 43 characters carries 4 bits and 2 unused ones, zero as issued: the next character sets one.
  const unusedBitSet = String.fromCharCode(signature.charCodeAt(signature.length - 1) + 1)
  for (const spelling of [`${signature.slice(0, -1)}${unusedBitSet}`, `${signature.slice(0, 10)}*${signature.slice(10)}`, `${signature}=`, ` ${signature}`]) {
    t.ok(Buffer.from(spelling, 'base64url').equals(Buffer.from(signature, 'base64url')), `${spelling.slice(-6)}: the same bytes to the decoder`)
    t.match(tokens.verify(`${payload}.${spelling}`, now), { ok: false, reason: 'token signature mismatch' }, 'another spelling of the signature is refused')
  }
  // A well-signed token with a payload that is not ours (defence in depth).
  t.match(tokens.verify(signedPayload(masterKey, '{"a":"3","u":"alice","d":5,"v":1,"e":1}'), now), { ok: false, reason: 'token payload malformed' })
  // A token of the earlier format names no developer, so it admits to no developer's messages.
  t.match(tokens.verify(signedPayload(masterKey, '{"a":3,"u":"alice","e":1900000000}'), now), { ok: false, reason: 'token payload malformed' })
  // Each claim is checked on its own: a payload that lacks only one of them, or names no user, is not ours either.
  // Without `e` a token would never expire (NaN is never past); without `d` or `v` it names no developer or epoch.
  for (const json of [
    '{"a":3,"u":"","d":5,"v":3,"e":1900000000}',
    '{"a":3,"u":"alice","v":3,"e":1900000000}',
    '{"a":3,"u":"alice","d":"5","v":3,"e":1900000000}',
    '{"a":3,"u":"alice","d":5,"e":1900000000}',
    '{"a":3,"u":"alice","d":5,"v":3}',
    '{"u":"alice","d":5,"v":3,"e":1900000000}'
  ]) {
    t.match(tokens.verify(signedPayload(masterKey, json), now), { ok: false, reason: 'token payload malformed' }, json)
  }
  t.same(tokens.verify(signedPayload(masterKey, '{"a":3,"u":"alice","d":5,"v":3,"e":1900000000}'), now), { ok: true, grant },
    'the control: the same payload with every claim is accepted')
})

// The length is checked before the HMAC: the bound on the work a presented token costs, whatever
// it carries. A server-signed token over it (no username is that long) is refused all the same.
t.test('tokens: one longer than MAX_IN_APP_TOKEN_LENGTH is refused, even well signed', async (t) => {
  const tokens = createInAppTokens(randomBytes(32), 60)
  const grant = { applicationId: 3, userId: 'u'.repeat(1600), developerId: 5, tokenEpoch: 0 }
  const { token } = tokens.issue(grant)
  t.ok(token.length > MAX_IN_APP_TOKEN_LENGTH, `${token.length} characters`)
  t.same(tokens.verify(token), { ok: false, reason: 'token missing or too long' })
  const control = { ...grant, userId: 'u'.repeat(255) }
  t.same(tokens.verify(tokens.issue(control).token), { ok: true, grant: control }, 'the control: the longest username\'s token')
})

t.test('keep-alive: a socket that stops answering pings is terminated', async (t) => {
  const { app } = await buildApp(t)
  const { developerId } = await setupDeveloper(app)
  const alicesSockets = { applicationId: 1, userId: 'alice', developerId }
  const base = await listen(app)
  const token = await tokenFor(app, alice)
  const silent = new WebSocket(`${base}/api/1.0/im/connect?token=${token}`, { autoPong: false })
  t.teardown(() => silent.close())
  await new Promise((resolve) => silent.once('open', resolve))
  const lively = await connect(t, base, token)
  const closed = new Promise((resolve) => silent.once('close', resolve))
  await until(() => app.inApp.sockets.count(alicesSockets) === 2, 'both registered')
  let pongs = 0
  for (const socket of app.websocketServer.clients) socket.on('pong', () => { pongs++ })
  app.inApp.sockets.ping()
  // The second round only once the answering socket's pong is in (not after a guessed time).
  await until(() => pongs === 1, 'the answering socket\'s pong')
  app.inApp.sockets.ping()
  await closed
  t.equal(silent.readyState, WebSocket.CLOSED, 'the silent socket is gone')
  t.equal(lively.socket.readyState, WebSocket.OPEN, 'the answering one stays')
  await until(() => app.inApp.sockets.count(alicesSockets) === 1, 'the registry forgets it')
})

t.test('keep-alive: a pong that does not echo the last ping keeps no socket: one that never reads cannot stay by sending its own', async (t) => {
  // The server's own rounds 5 minutes apart: only the test's two run.
  const { app } = await buildApp(t, { INAPP_PING_INTERVAL_MS: '300000' })
  const { developerId, applicationId } = await setupDeveloper(app)
  const alicesSockets = { applicationId, userId: 'alice', developerId }
  const base = await listen(app)
  const silent = new WebSocket(`${base}/api/1.0/im/connect?token=${await tokenFor(app, alice)}`, { autoPong: false })
  t.teardown(() => silent.terminate())
  await new Promise((resolve) => silent.once('open', resolve))
  await until(() => app.inApp.sockets.count(alicesSockets) === 1, 'registered')
  let pongs = 0
  for (const socket of app.websocketServer.clients) socket.on('pong', () => { pongs++ })
  // Unsolicited, empty and guessed, before and after the first round: none echoes its payload.
  silent.pong()
  app.inApp.sockets.ping()
  silent.pong(Buffer.from('12345678'))
  await until(() => pongs === 2, 'both pongs received')
  app.inApp.sockets.ping()
  await until(() => silent.readyState === WebSocket.CLOSED, 'terminated at the second round')
  await until(() => app.inApp.sockets.count(alicesSockets) === 0, 'the registry forgets it')
})

// guarantee: inapp-shutdown-going-away
t.test('on close the sockets are told the server is going away (1001)', async (t) => {
  const { app } = await buildApp(t)
  await setupDeveloper(app)
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  const code = new Promise<number>((resolve) => client.socket.once('close', resolve))
  await app.close()
  t.equal(await code, 1001)
})

// guarantee: push-fallback-once
t.test('a fallback push claimed by an instance that died before publishing is published by another instance', async (t) => {
  const a = await buildApp(t, { INAPP_ACK_TIMEOUT_MS: '3600000' })
  const { applicationId } = await setupDeveloper(a.app)
  const requestId = await pushTo(a.app, alice, { content: 'in-app', push: { content: 'push text' } })
  // What the claim statement commits: the push message id, the Message row and its command in the outbox.
  const pushMessageId = '0b7e8f2c-1f57-4c4e-9a53-8f0f3c4b2a11'
  await a.app.db.message.create({
    data: { id: pushMessageId, applicationId, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: { body: 'push text' } }
  })
  await a.app.db.inboxMessage.update({ where: { id: requestId }, data: { pushMessageId } })
  await a.app.close()

  const b = await buildApp(t, { DATABASE_URL: a.databaseUrl, NATS_PREFIX: a.config.nats.prefix, OUTBOX_SWEEP_INTERVAL_MS: '50' })
  await b.app.db.outbox.create({
    data: {
      kind: 'command',
      payload: { kind: 'message', messageId: pushMessageId, applicationId, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: { body: 'push text' } }
    }
  })
  const commands: SendCommand[] = []
  const consumer = b.app.transport.consumeCommands(async (delivery) => {
    if (delivery.command.kind === 'message') commands.push(delivery.command)
    await delivery.ack()
  }, { concurrency: 1 })
  t.teardown(() => consumer.stop())
  await until(() => commands.length >= 1, 'the command published by the sweeper')
  t.match(commands[0], { messageId: pushMessageId, applicationId, userId: 'alice', body: { body: 'push text' } })
  t.equal(await b.app.db.message.count(), 1, 'no second push message')
})

function signedPayload (masterKey: Buffer, json: string): string {
  // The documented derivation, to sign a payload the issuer would never write.
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'beacon in-app token', 32))
  const payload = Buffer.from(json).toString('base64url')
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`
}

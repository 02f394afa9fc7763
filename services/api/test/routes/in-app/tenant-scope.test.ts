import { startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import { callbacksSettled } from '../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, key, listen, pushTo, secret, setupDeveloper, tokenFor, until } from './helper.js'

// The push fallback stays out of the way: only acks touch acknowledgedAt here.
const env = { INAPP_ACK_TIMEOUT_MS: '600000' }
const SECOND = 'second.example'

// A developer granted two carriers mints tokens for either: the carrier (application) a token
// names is as much a part of the socket's scope as its user and developer. The tests of one
// carrier cannot tell a scope that leaves the application out from one that keeps it.
// guarantee: inapp-token-scope, inapp-ack-rules
t.test('one developer on two carriers: a socket gets, replays and acknowledges only its own carrier\'s messages', async (t) => {
  const hooks = await startCallbackReceiver({ developers: new Map([[key, secret]]) })
  t.teardown(() => hooks.close())
  const { app, config } = await buildApp(t, { ...env, ...localCallbackEnv })
  const { developerId } = await setupDeveloper(app, { callbackUrl: hooks.url('/hooks') })
  const second = await app.db.application.create({ data: { appId: '2', name: 'second', carrierDomain: SECOND } })
  await app.db.developerApplication.create({ data: { developerId, applicationId: second.id } })
  const base = await listen(app)
  const acknowledged = async (id: string) => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })).acknowledgedAt !== null

  const firstOld = await pushTo(app, `alice@${CARRIER}`, { content: 'first carrier, before connecting' })
  const secondOld = await pushTo(app, `alice@${SECOND}`, { content: 'second carrier, before connecting' })
  const first = await connect(t, base, await tokenFor(app, `alice@${CARRIER}`))
  const other = await connect(t, base, await tokenFor(app, `alice@${SECOND}`))
  await first.until(1)
  await other.until(1)
  // The second carrier's live message goes first: had it reached the first socket, it came before that socket's own.
  const secondLive = await pushTo(app, `alice@${SECOND}`, { content: 'second carrier, live' })
  const firstLive = await pushTo(app, `alice@${CARRIER}`, { content: 'first carrier, live' })
  await first.until(2)
  await other.until(2)
  t.same(first.frames.map((frame) => frame.id), [firstOld, firstLive], 'the first carrier\'s socket: its replay and live message only')
  t.same(other.frames.map((frame) => frame.id), [secondOld, secondLive], 'the second carrier\'s socket: its own only')

  // The first socket acknowledges the second carrier's messages, then its own (acks of one socket are recorded in order).
  for (const id of [secondOld, secondLive, firstOld]) first.send({ type: 'ack', id })
  await until(() => acknowledged(firstOld), 'the first socket\'s own ack')
  t.notOk(await acknowledged(secondOld), 'another carrier\'s replayed message is not acknowledged by this socket')
  t.notOk(await acknowledged(secondLive), 'nor its live one')

  // The callback names the user at the carrier of the socket that acknowledged.
  other.send({ type: 'ack', id: secondLive })
  await until(() => acknowledged(secondLive), 'the second socket\'s ack')
  await callbacksSettled(app, config)
  const events = hooks.received().map((callback) => JSON.parse(callback.body) as { event: string, requestId: string, to: string })
  t.same(events.map(({ event, requestId, to }) => [event, requestId, to]).sort(), [
    ['im.delivered', firstOld, `alice@${CARRIER}`],
    ['im.delivered', secondLive, `alice@${SECOND}`]
  ].sort(), 'one callback per own ack, each to the user at its own carrier')
})

// User names are stored and matched as given (no case folding anywhere): `Alice` and `alice` are
// two users, and neither's socket may get the other's messages.
t.test('user names are exact: Alice\'s socket and alice\'s get, replay and acknowledge only their own', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const base = await listen(app)
  const lower = `alice@${CARRIER}`
  const upper = `Alice@${CARRIER}`

  const lowerOld = await pushTo(app, lower, { content: 'to alice, before connecting' })
  const upperOld = await pushTo(app, upper, { content: 'to Alice, before connecting' })
  const lowers = await connect(t, base, await tokenFor(app, lower))
  const uppers = await connect(t, base, await tokenFor(app, upper))
  await lowers.until(1)
  await uppers.until(1)
  const lowerLive = await pushTo(app, lower, { content: 'to alice, live' })
  const upperLive = await pushTo(app, upper, { content: 'to Alice, live' })
  await lowers.until(2)
  await uppers.until(2)
  t.same(lowers.frames.map((frame) => frame.id), [lowerOld, lowerLive], 'alice\'s socket: hers only')
  t.same(uppers.frames.map((frame) => frame.id), [upperOld, upperLive], 'Alice\'s socket: hers only')

  uppers.send({ type: 'ack', id: lowerOld })
  uppers.send({ type: 'ack', id: upperOld })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: upperOld } })).acknowledgedAt !== null, 'Alice\'s own ack')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: lowerOld } })).acknowledgedAt, null, 'alice\'s message is not acknowledged by Alice')
})

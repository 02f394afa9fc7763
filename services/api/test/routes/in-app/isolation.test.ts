import { startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import WebSocket from 'ws'
import { sealDeveloperSecret } from '../../../src/domain/developers/developers.js'
import { buildApp, call, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, secret, setupDeveloper, signedPost, tokenFor, until, upgradeStatus } from './helper.js'

// The push fallback stays out of the way: an ack that does nothing must not look like one that did.
const env = { INAPP_ACK_TIMEOUT_MS: '600000' }
const alice = `alice@${CARRIER}`
const acknowledged = async (app: Awaited<ReturnType<typeof buildApp>>['app'], id: string) =>
  (await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })).acknowledgedAt !== null
const eventsOf = (hooks: { received: () => Array<{ url: string, body: string }> }, path: string) =>
  hooks.received().filter((r) => r.url === path).map((r) => JSON.parse(r.body) as { event: string, requestId: string })

// guarantee: inapp-token-scope, inapp-ack-rules
t.test('two developers of one carrier: a socket gets and acknowledges only its own developer\'s messages', async (t) => {
  const hooks = await startCallbackReceiver({ developers: new Map([['dev-a', secret], ['dev-b', secret]]) })
  t.teardown(() => hooks.close())
  const { app } = await buildApp(t, { ...env, ...localCallbackEnv })
  await setupDeveloper(app, { developerKey: 'dev-a', callbackUrl: hooks.url('/a') })
  await setupDeveloper(app, { developerKey: 'dev-b', callbackUrl: hooks.url('/b') })
  const base = await listen(app)

  const aOld = await pushTo(app, alice, { content: 'a, before connecting' }, 'dev-a')
  const bOld = await pushTo(app, alice, { content: 'b, before connecting' }, 'dev-b')
  const a = await connect(t, base, await tokenFor(app, alice, 'dev-a'))
  const b = await connect(t, base, await tokenFor(app, alice, 'dev-b'))
  await a.until(1)
  await b.until(1)
  const aLive = await pushTo(app, alice, { content: 'a, live' }, 'dev-a')
  const bLive = await pushTo(app, alice, { content: 'b, live' }, 'dev-b')
  await a.until(2)
  await b.until(2)
  // A last message to each is the control: whatever else was coming came before it.
  const aLast = await pushTo(app, alice, { content: 'a, last' }, 'dev-a')
  const bLast = await pushTo(app, alice, { content: 'b, last' }, 'dev-b')
  await a.until(3)
  await b.until(3)
  t.same(a.frames.map((frame) => frame.id), [aOld, aLive, aLast], 'developer A\'s socket: replay and live, A\'s only')
  t.same(b.frames.map((frame) => frame.id), [bOld, bLive, bLast], 'developer B\'s socket: replay and live, B\'s only')

  // B's socket acknowledges A's messages, then its own; acks of one socket are recorded in order.
  for (const id of [aOld, aLive, bOld]) b.send({ type: 'ack', id })
  await until(() => acknowledged(app, bOld), 'B\'s own ack')
  t.notOk(await acknowledged(app, aOld), 'A\'s replayed message is not acknowledged by B\'s socket')
  t.notOk(await acknowledged(app, aLive), 'nor its live one')
  // A acknowledges one of its own: the control for A's callbacks.
  a.send({ type: 'ack', id: aLive })
  await hooks.until((received) => received.length >= 2)
  t.same(eventsOf(hooks, '/a').map((e) => [e.event, e.requestId]), [['im.delivered', aLive]], 'A is told of its own ack only')
  t.same(eventsOf(hooks, '/b').map((e) => [e.event, e.requestId]), [['im.delivered', bOld]], 'B is told of B\'s only')
})

// guarantee: developer-rotate-revokes, developer-disable-revokes, inapp-revocation-closes-sockets
t.test('disabling, rotating or ungranting a developer closes its sockets, voids its tokens and refuses its requests', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app, { developerKey: 'dev-a' })
  await setupDeveloper(app, { developerKey: 'dev-b' })
  const base = await listen(app)
  const connectOrStatus = async (token: string) => (await upgradeStatus(base, token)).status

  for (const [change, body, path] of [
    ['disable', { id: developerId }, '/admin/developer/disable'],
    ['rotate', { id: developerId }, '/admin/developer/rotate'],
    ['ungrant', { id: developerId, applications: [] }, '/admin/developer/update']
  ] as const) {
    await call(app, 'POST', '/admin/developer/enable', { requestObject: { id: developerId } })
    await app.db.developerApplication.upsert({
      where: { developerId_applicationId: { developerId, applicationId } }, update: {}, create: { developerId, applicationId }
    })
    // Rotation replaces the secret the helpers sign with: keep signing with the stored one.
    await app.db.developer.update({ where: { id: developerId }, data: { secret: sealDeveloperSecret(app.secrets, developerId, secret) } })
    const token = await tokenFor(app, alice, 'dev-a')
    const mine = await connect(t, base, token)
    const bystander = await connect(t, base, await tokenFor(app, alice, 'dev-b'))
    t.equal(await connectOrStatus(token), 101, `${change}: the token admits before`)

    const changed = await call(app, path === '/admin/developer/update' ? 'PUT' : 'POST', path, { requestObject: body })
    t.equal(changed.statusCode, 200, `${change}: ${changed.body}`)
    t.same(await mine.closed, { code: 4003, reason: 'no longer authorized' }, `${change}: the open socket is closed`)
    t.equal(await connectOrStatus(token), 401, `${change}: the token no longer admits`)
    // Its requests signed with the secret it had: refused (401) once disabled or rotated; a lost grant is a 403.
    const request = await signedPost(app, '/api/1.0/im/token', { user: alice }, 'dev-a')
    t.equal(request.statusCode, change === 'ungrant' ? 403 : 401, `${change}: a new token is refused: ${request.body}`)
    // The other developer's socket of the same user is untouched: a message still reaches it.
    const control = await pushTo(app, alice, { content: `after ${change}` }, 'dev-b')
    await until(() => bystander.frames.some((frame) => frame.id === control), `${change}: the bystander's message`)
    t.equal(bystander.socket.readyState, WebSocket.OPEN, `${change}: another developer's socket stays open`)
    bystander.socket.close()
  }
})

// guarantee: inapp-revocation-closes-sockets
t.test('a change made on one api instance closes the developer\'s sockets on another', async (t) => {
  const first = await buildApp(t, env)
  const second = await buildApp(t, { ...env, DATABASE_URL: first.databaseUrl, NATS_PREFIX: first.config.nats.prefix, MASTER_KEY: first.config.masterKey.toString('base64') })
  const { developerId } = await setupDeveloper(first.app, { developerKey: 'dev-a' })
  const client = await connect(t, await listen(second.app), await tokenFor(first.app, alice, 'dev-a'))
  await until(() => second.app.inApp.sockets.count({ applicationId: 1, userId: 'alice', developerId }) === 1, 'the socket on the second instance')
  const disabled = await call(first.app, 'POST', '/admin/developer/disable', { requestObject: { id: developerId } })
  t.equal(disabled.statusCode, 200)
  t.same(await client.closed, { code: 4003, reason: 'no longer authorized' }, 'closed by the instance that holds it')
})

t.test('a change that missed the fan-out is caught by the next keep-alive round', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId } = await setupDeveloper(app, { developerKey: 'dev-a' })
  const client = await connect(t, await listen(app), await tokenFor(app, alice, 'dev-a'))
  // Straight in the database: no fan-out was published.
  await app.db.developer.update({ where: { id: developerId }, data: { enabled: false } })
  t.equal(client.socket.readyState, WebSocket.OPEN, 'still open: nobody said anything yet')
  app.inApp.sockets.ping()
  await app.inApp.recheck()
  t.same(await client.closed, { code: 4003, reason: 'no longer authorized' })
})

t.test('a token voided by disable, rotate or a lost grant stays void when the developer is enabled or granted again', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app, { developerKey: 'dev-a' })
  const base = await listen(app)
  const status = async (token: string) => (await upgradeStatus(base, token)).status
  const beforeDisable = await tokenFor(app, alice, 'dev-a')
  await call(app, 'POST', '/admin/developer/disable', { requestObject: { id: developerId } })
  await call(app, 'POST', '/admin/developer/enable', { requestObject: { id: developerId } })
  t.equal(await status(beforeDisable), 401, 'enabled again: the old token is still void')
  const beforeUngrant = await tokenFor(app, alice, 'dev-a')
  t.equal(await status(beforeUngrant), 101, 'a token issued after enabling admits')
  await call(app, 'PUT', '/admin/developer/update', { requestObject: { id: developerId, applications: [] } })
  await call(app, 'PUT', '/admin/developer/update', { requestObject: { id: developerId, applications: [1] } })
  t.equal(await status(beforeUngrant), 401, 'granted again: the old token is still void')
  const unchanged = await tokenFor(app, alice, 'dev-a')
  await call(app, 'PUT', '/admin/developer/update', { requestObject: { id: developerId, name: 'renamed', applications: [1] } })
  t.equal(await status(unchanged), 101, 'an update that takes no grant away leaves tokens alone')
  t.equal((await app.db.developerApplication.count({ where: { developerId, applicationId } })), 1)
})

// Every revocation bumps the epoch, so the tests above cannot tell which part of the admission
// refused: here each part is the only one that can. The tokens are the server's own (well signed),
// as a missed epoch bump or a grant removed by hand would leave them.
// guarantee: inapp-token-scope
t.test('a well-signed token admits only for an existing developer, at its current epoch, granted the token\'s application', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app, { developerKey: 'dev-a' })
  const ungranted = await app.db.application.create({ data: { appId: '2', name: 'other', carrierDomain: 'other.example' } })
  const base = await listen(app)
  const { tokenEpoch } = await app.db.developer.findUniqueOrThrow({ where: { id: developerId } })
  const grant = { applicationId, userId: 'alice', developerId, tokenEpoch }
  const status = async (changes: Partial<typeof grant>) => (await upgradeStatus(base, app.inApp.tokens.issue({ ...grant, ...changes }).token)).status
  t.equal(await status({}), 101, 'the control: the developer\'s own application at its current epoch')
  t.equal(await status({ applicationId: ungranted.id }), 401, 'an application the developer is not granted')
  t.equal(await status({ tokenEpoch: tokenEpoch + 1 }), 401, 'an epoch the developer has not reached')
  t.equal(await status({ developerId: developerId + 1000 }), 401, 'a developer that does not exist')

  // The grant removed straight in the database (no epoch bump, no fan-out): the next keep-alive round closes the socket.
  const client = await connect(t, base, app.inApp.tokens.issue(grant).token)
  await app.db.developerApplication.delete({ where: { developerId_applicationId: { developerId, applicationId } } })
  await app.inApp.recheck()
  // The round closes what it revokes before it returns: counted at once, the close frame awaited only once it was sent.
  const open = app.inApp.sockets.count({ applicationId, userId: 'alice', developerId })
  t.equal(open, 0, 'the socket of an application no longer granted is closed')
  if (open === 0) t.same(await client.closed, { code: 4003, reason: 'no longer authorized' })
  t.equal(await status({}), 401, 'and its tokens refused')
})

t.test('the push fallback of a disabled developer waits; another developer\'s goes out', async (t) => {
  const { app } = await buildApp(t, { INAPP_ACK_TIMEOUT_MS: '600000' })
  const a = await setupDeveloper(app, { developerKey: 'dev-a' })
  await setupDeveloper(app, { developerKey: 'dev-b' })
  const held = await pushTo(app, alice, { content: 'a', push: { content: 'from a' } }, 'dev-a')
  await call(app, 'POST', '/admin/developer/disable', { requestObject: { id: a.developerId } })
  const control = await pushTo(app, alice, { content: 'b', push: { content: 'from b' } }, 'dev-b')
  // Both due now, the held one first: once the control is pushed, a round passed them both.
  await app.db.inboxMessage.update({ where: { id: held }, data: { pushDueAt: new Date(Date.now() - 2000) } })
  await app.db.inboxMessage.update({ where: { id: control }, data: { pushDueAt: new Date(Date.now() - 1000) } })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: control } })).pushMessageId !== null, 'the control push')
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: held } })).pushMessageId, null, 'nothing pushed for the disabled developer')
  t.equal(await app.db.message.count(), 1)
})

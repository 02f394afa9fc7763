import t from 'tap'
import { buildApp } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, setupDeveloper, tokenFor, until } from './helper.js'

// The push fallback stays out of the way: only acks touch acknowledgedAt here.
const env = { INAPP_ACK_TIMEOUT_MS: '600000' }
const alice = `alice@${CARRIER}`

// guarantee: inapp-ack-rules
t.test('only the first ack of the user\'s own unexpired message of the token\'s developer counts', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app, { developerKey: 'dev-a' })
  await setupDeveloper(app, { developerKey: 'dev-b' })
  const acknowledgedAt = async (id: string) => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })).acknowledgedAt
  const bobs = await pushTo(app, `bob@${CARRIER}`, { content: 'for bob' }, 'dev-a')
  const otherDevelopers = await pushTo(app, alice, { content: 'from developer b' }, 'dev-b')
  const expired = await pushTo(app, alice, { content: 'expired' }, 'dev-a')
  // Past its lifetime: the expiry round marks it, as it would any unacknowledged message.
  await app.db.inboxMessage.update({ where: { id: expired }, data: { expiresAt: new Date(Date.now() - 1000) } })
  await until(async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id: expired } })).expiredAt !== null, 'the expiry')
  const first = await pushTo(app, alice, { content: 'first' }, 'dev-a')
  const control = await pushTo(app, alice, { content: 'control' }, 'dev-a')

  const client = await connect(t, await listen(app), await tokenFor(app, alice, 'dev-a'))
  client.send({ type: 'ack', id: first })
  await until(async () => (await acknowledgedAt(first)) !== null, 'the first ack')
  const firstAck = await acknowledgedAt(first)
  // One socket's acks are recorded in the order sent: once the control's is in, every ack before it was handled.
  for (const id of [bobs, otherDevelopers, expired, first, control]) client.send({ type: 'ack', id })
  await until(async () => (await acknowledgedAt(control)) !== null, 'the control ack')
  t.same(await Promise.all([bobs, otherDevelopers, expired].map(acknowledgedAt)), [null, null, null],
    'another user\'s, another developer\'s and an expired message: ignored')
  t.same(await acknowledgedAt(first), firstAck, 'a second ack keeps the first one\'s time')
})

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

// The acknowledgement and its im.delivered callback are written by one statement. Queued apart
// (the callback committed on its own before the acknowledgement's COMMIT), an api that failed or
// died between the two had told the developer the app had the message while the acknowledgement
// was not recorded: the push fallback then went out as well. Here the COMMIT is what fails: a
// deferred trigger refuses the acknowledgement at commit, until the test drops it.
// guarantee: inapp-ack-and-callback-together
t.test('an acknowledgement whose commit fails queues no im.delivered; its retry records both once', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const id = await pushTo(app, alice, { content: 'hello' })
  await app.db.pool.query(`CREATE FUNCTION refuse_ack() RETURNS trigger LANGUAGE plpgsql AS $$
                             BEGIN RAISE EXCEPTION 'refused at commit'; END $$`)
  await app.db.pool.query(`CREATE CONSTRAINT TRIGGER refuse_ack AFTER UPDATE OF acknowledged_at ON inbox_message
                             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_ack()`)
  const told = async () => ({
    records: Number((await app.db.pool.query('SELECT count(*) AS n FROM callback_delivery WHERE event_id = $1', [`${id}:im.delivered`])).rows[0].n),
    queued: Number((await app.db.pool.query("SELECT count(*) AS n FROM outbox WHERE kind = 'callback' AND payload->'body'->>'eventId' = $1", [`${id}:im.delivered`])).rows[0].n)
  })
  const acknowledgedAt = async () => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })).acknowledgedAt

  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  client.send({ type: 'ack', id })
  await until(() => client.frames.some((frame) => frame.type === 'error'), 'the error answer')
  t.match(client.frames.find((frame) => frame.type === 'error'), { message: /was not recorded; send it again/ }, 'the app is told to send it again')
  t.equal(await acknowledgedAt(), null, 'the acknowledgement is not recorded')
  t.same(await told(), { records: 0, queued: 0 }, 'and no im.delivered is recorded or queued')

  await app.db.pool.query('DROP TRIGGER refuse_ack ON inbox_message')
  client.send({ type: 'ack', id })
  await until(async () => (await acknowledgedAt()) !== null, 'the retried ack')
  t.equal((await told()).records, 1, 'the retry records its im.delivered once')
})

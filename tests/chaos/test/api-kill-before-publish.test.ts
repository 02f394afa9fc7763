// Case 6 of issue 12: the api SIGKILLed between storing messages and publishing them. The moment
// is made wide: NATS is down when the messages are sent, so they are stored and not published,
// and the api dies holding them.
import t from 'tap'
import { sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

t.test('an api dies with stored, unpublished messages: the other api publishes them, they are sent', async (t) => {
  const stack = await startChaosStack(t, { privateNats: true, apis: 2, dispatchers: 1 })
  const devices = await seedDevices(stack, stack.appId, 20, { prefix: 'stored' })
  const users = usersOf(devices)
  await stack.nats!.stop()
  // The api may answer (stored, to be published) or hang on the publish: either way it dies next.
  const sending = sendMessages(stack, users, 'batch', 0).catch(() => [])
  const stored = async () => (await stack.db.message.findMany({ where: { userId: { in: users } }, select: { id: true } })).map((m) => m.id)
  while ((await stored()).length < users.length) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(await stack.apis[0]!.stop('SIGKILL'), 'SIGKILL', 'the api that stored the messages killed')
  const unpublished = await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox').then((result) => result.rows[0]!.n, () => 'n/a')
  t.comment(`outbox rows left unpublished by the dead api: ${unpublished} (no outbox table: n/a)`)
  await sending
  await stack.nats!.start()
  const restartedAt = Date.now()

  const scope = { messageIds: await stored() }
  t.equal(scope.messageIds.length, users.length, 'one stored message per user')
  await settle(t, stack, scope, 'every stored message completed', { at: restartedAt, event: 'NATS came back' })
  await assertLedger(t, stack, devices, scope, { maxDuplicates: 0, bound: 'no dispatcher died' })
})

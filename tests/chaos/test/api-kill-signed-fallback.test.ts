// The signed API's work in flight when its api is SIGKILLed: push fallbacks claimed and queued,
// one callback waiting for its retry, another one's POST unanswered, messages delivered in-app and
// not acknowledged. The moment is made certain: NATS is stopped once the in-app frames are out, so
// every fallback the api claims stays in its outbox; the developer's server refused the first
// callback (its retry waits in the outbox) and holds the second unanswered. Then the api dies and
// another one is started (the README's "restart"). The held callback comes back after the callback
// consumer's fixed 60 s acknowledgement wait: most of this test's minute.
import t from 'tap'
import { startChaosStack } from './harness/chaos-stack.js'
import { eventually } from './harness/faults.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices } from './harness/seed.js'
import { acceptedEvents, CARRIER, connectDevice, startDeveloper } from './harness/signed-api.js'

// guarantee: push-fallback-once, callback-no-loss
t.test('the api dies with push fallbacks queued and callbacks unsent: one push per device, every callback accepted once', async (t) => {
  // A retry due 8 to 10 s after its refusal: still in the outbox at the kill, whatever the machine's pace.
  const stack = await startChaosStack(t, { privateNats: true, apiEnv: { INAPP_ACK_TIMEOUT_MS: '3000', CALLBACK_BASE_DELAY_MS: '10000', CALLBACK_TIMEOUT_MS: '120000' } })
  const developer = await startDeveloper(t, stack, stack.appId)
  const offline = await seedDevices(stack, stack.appId, 2, { prefix: 'offline' })
  const [silent] = await seedDevices(stack, stack.appId, 1, { prefix: 'silent', platform: 'APNS' })
  const [late] = await seedDevices(stack, stack.appId, 1, { prefix: 'late', platform: 'FCM' })
  const ackers = await seedDevices(stack, stack.appId, 2, { prefix: 'acker', platform: 'APNS' })
  const pushed = [...offline, silent!, late!]
  const first = stack.apis[0]!
  const query = async (sql: string, values: unknown[]) => (await stack.db.pool.query(sql, values)).rows
  const send = async (user: string) => (await developer.post(first.url, `/api/1.0/push/${user}@${CARRIER}`, { content: `in-app for ${user}`, push: { content: `push for ${user}` } })).requestId!

  // In-app: `silent` never acknowledges, `late` only once reconnected after the kill, the ackers at once.
  const before = {
    silent: await connectDevice(t, developer, first.url, silent!.userId, { ack: false }),
    late: await connectDevice(t, developer, first.url, late!.userId, { ack: false }),
    ackers: await Promise.all(ackers.map((acker) => connectDevice(t, developer, first.url, acker.userId, { ack: true })))
  }
  developer.receiver.failNext(1, 503)
  const retried = await send(ackers[0]!.userId)
  const attempted = async () => (await query('SELECT attempts FROM callback_delivery WHERE event_id = $1', [`${retried}:im.delivered`]))[0]?.attempts >= 1
  t.ok(await eventually(attempted, 10_000), 'the first im.delivered refused (503): its retry is queued')
  developer.receiver.failNext(1, 'hang')
  const held = await send(ackers[1]!.userId)
  t.ok(await eventually(() => developer.receiver.received().length === 2, 10_000), 'the second im.delivered POSTed, held unanswered')
  const requests = new Map<string, string>()
  for (const user of [...pushed.map((d) => d.userId), 'nobody']) requests.set(user, await send(user))
  const framed = () => before.silent.frames.includes(requests.get(silent!.userId)!) && before.late.frames.includes(requests.get(late!.userId)!)
  t.ok(await eventually(framed, 10_000), 'silent and late got their message in-app, live')
  await stack.nats!.stop()

  // The moment: every fallback claimed by this api, its command in the outbox, unpublished.
  const ids = [...requests.values()]
  const claimed = async () => (await query('SELECT push_message_id::text AS id FROM inbox_message WHERE id = ANY($1::uuid[]) AND push_message_id IS NOT NULL', [ids])).map((row) => row.id as string)
  t.ok(await eventually(async () => (await claimed()).length === ids.length, 20_000), `all ${ids.length} fallbacks claimed while NATS is down`)
  const pushIds = await claimed()
  const queued = await query('SELECT count(*)::int AS n FROM outbox WHERE kind = \'command\' AND payload->>\'messageId\' = ANY($1)', [pushIds])
  t.equal(queued[0]!.n, ids.length, 'their commands wait in the outbox')
  const retry = await query('SELECT count(*)::int AS n FROM outbox WHERE kind = \'callback\' AND payload->\'body\'->>\'eventId\' = $1', [`${retried}:im.delivered`])
  t.equal(retry[0]!.n, 1, 'the refused im.delivered\'s retry waits in the outbox')
  t.same(developer.receiver.received().map((c) => c.status), [503, 0], 'one callback refused, one unanswered: no other sent')
  t.same(stack.apns.log.length + stack.fcm.log.length, 0, 'nothing pushed yet')
  t.equal(await first.stop('SIGKILL'), 'SIGKILL', 'the api killed')
  const killedAt = Date.now()
  await Promise.all([before.silent, before.late, ...before.ackers].map((device) => device.closed))

  await stack.nats!.start()
  const second = await stack.startApi()
  const after = {
    silent: await connectDevice(t, developer, second.url, silent!.userId, { ack: false }),
    late: await connectDevice(t, developer, second.url, late!.userId, { ack: true }),
    ackers: await Promise.all(ackers.map((acker) => connectDevice(t, developer, second.url, acker.userId, { ack: true })))
  }
  const expected = new Map<string, string>([
    [`${retried}:im.delivered`, ackers[0]!.userId],
    [`${held}:im.delivered`, ackers[1]!.userId],
    [`${requests.get(late!.userId)}:im.delivered`, late!.userId],
    ...pushed.map((d) => [`${requests.get(d.userId)}:push.sent`, d.userId] as [string, string]),
    [`${requests.get('nobody')}:push.failed`, 'nobody']
  ])
  const records = async () => (await stack.call('POST', '/admin/console/callback/list', { requestObject: { developerId: developer.id, limit: 100 } })).body.responseObject.callbackList as any[]
  const ended = async () => { const list = await records(); return list.length >= expected.size && list.every((r) => r.status !== 'PENDING') }
  await settle(t, stack, { messageIds: pushIds }, 'every push fallback completed', { at: killedAt, event: 'the kill' })
  t.ok(await eventually(ended, 100_000), 'every callback record ended')

  // The mocks: one push per device of a request not acknowledged in time, none to the ackers.
  await assertLedger(t, stack, pushed, { messageIds: pushIds }, { maxDuplicates: 0, bound: 'one push per request (push-fallback-once)' })
  t.same(ackers.flatMap((acker) => stack.apns.received(acker.token)), [], 'the ackers, acknowledged in time, never pushed')
  // In-app: the replay gives late its message again, and silent (still unacknowledged) too.
  t.ok(after.late.frames.includes(requests.get(late!.userId)!), 'late got its message again when it reconnected')
  t.ok(after.silent.frames.includes(requests.get(silent!.userId)!), 'silent, never acknowledging, gets it replayed')
  t.same(after.ackers.flatMap((device) => device.frames), [], 'the ackers, acknowledged, get no replay')

  // The callbacks: each promised one accepted once, with a valid signature, none other.
  const received = developer.receiver.received()
  t.same(received.filter((c) => !c.verified), [], 'every callback verified')
  const accepted = acceptedEvents(received)
  t.same([...accepted.keys()].sort(), [...expected.keys()].sort(), 'exactly the promised events were accepted')
  for (const [eventId, user] of expected) {
    t.equal(accepted.get(eventId)?.length, 1, `${eventId.split(':')[1]} for ${user} accepted once`)
    t.equal(accepted.get(eventId)?.[0]?.to, `${user}@${CARRIER}`, `${eventId.split(':')[1]} for ${user} addressed to the user`)
  }
  t.match(accepted.get(`${requests.get('nobody')}:push.failed`)?.[0], { reason: 'NoDevices' }, 'push.failed names NoDevices')
  // The api's records agree with what the receiver got (the held POST counts as an attempt).
  const list = await records()
  for (const [eventId, user] of expected) {
    const record = list.find((r) => r.eventId === eventId)
    const attempts = received.filter((c) => JSON.parse(c.body).eventId === eventId).length
    t.match(record, { status: 'DELIVERED', lastStatus: 200, attempts }, `${eventId.split(':')[1]} for ${user}: record DELIVERED after ${attempts} attempt(s)`)
  }
  t.equal(list.length, expected.size, 'no other callback recorded')
})

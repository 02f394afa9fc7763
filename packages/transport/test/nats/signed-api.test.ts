import { randomUUID } from 'node:crypto'
import type { CallbackCommand, InAppBroadcast, InAppRoute } from '@beacon/contracts'
import { testNatsUrl, until } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createNatsTransport, type CallbackDelivery } from '../../src/index.js'
import { memoryFactory, natsFactory, natsPrefix, settledQueue } from '../fixtures.js'

const callback = (eventId = randomUUID()): CallbackCommand => ({
  developerId: 7,
  body: { eventId, event: 'im.delivered', requestId: randomUUID(), to: 'alice@carrier.example', timestamp: new Date().toISOString() }
})
const route = (userId: string): InAppRoute => ({
  kind: 'message', applicationId: 1, userId, developerId: 7, frame: { type: 'message', id: randomUUID(), content: 'hello', timestamp: new Date().toISOString() }
})

for (const [kind, factory] of [['nats', natsFactory], ['memory', memoryFactory]] as const) {
  const prefixFor = async (t: Test) => kind === 'nats' ? await natsPrefix(t) : 'unused'

  t.test(`${kind}: a callback published twice under one eventId is delivered once; retry brings it back counted`, async (t) => {
    const prefix = await prefixFor(t)
    const transport = await factory(t, prefix)
    const seen: CallbackDelivery[] = []
    transport.consumeCallbacks(async (delivery) => {
      seen.push(delivery)
      if (delivery.callback.body.eventId !== control.body.eventId && delivery.deliveryCount < 3) delivery.retry(30)
      else await delivery.ack()
    }, { concurrency: 2 })
    const one = callback()
    const control = callback()
    await transport.publishCallback(one)
    await transport.publishCallback(one)
    await until(() => seen.length >= 3, 'three attempts')
    // Control: published after the duplicate; a kept duplicate would have been handed over before it.
    await transport.publishCallback(control)
    await until(() => seen.some((delivery) => delivery.callback.body.eventId === control.body.eventId), 'the control')
    const settled = await settledQueue(kind, prefix, 'callbacks')
    if (settled !== undefined) t.same([settled.stored, settled.deliveries], [2, 4], 'the server kept two callbacks and made four deliveries')
    t.same(seen.map((delivery) => [delivery.callback.body.eventId, delivery.deliveryCount]),
      [[one.body.eventId, 1], [one.body.eventId, 2], [one.body.eventId, 3], [control.body.eventId, 1]], 'one callback, three attempts, no duplicate')
    t.same(seen[0]?.callback, one)
  })

  t.test(`${kind}: a dropped callback does not come back`, async (t) => {
    const prefix = await prefixFor(t)
    const transport = await factory(t, prefix)
    const attempts: string[] = []
    transport.consumeCallbacks(async (delivery) => { attempts.push(delivery.callback.body.eventId); await delivery.drop() }, { concurrency: 1 })
    const dropped = callback()
    await transport.publishCallback(dropped)
    await until(() => attempts.length === 1, 'the attempt')
    const control = callback()
    await transport.publishCallback(control)
    await until(() => attempts.length === 2, 'the control')
    const settled = await settledQueue(kind, prefix, 'callbacks')
    if (settled !== undefined) t.equal(settled.deliveries, 2, 'two deliveries in all: none came back')
    t.same(attempts, [dropped.body.eventId, control.body.eventId])
  })

  t.test(`${kind}: in-app routes reach every subscriber, and none after it stops`, async (t) => {
    const prefix = await prefixFor(t)
    const first = await factory(t, prefix)
    // A second instance: with NATS another connection (another api process); in memory the same transport.
    const second = kind === 'nats' ? await factory(t, prefix) : first
    const got: Array<[string, string]> = []
    const label = (event: InAppBroadcast) => event.kind === 'message' ? event.userId : `developer ${event.developerId}`
    const a = first.subscribeInApp((event) => got.push(['a', label(event)]))
    // c shares a's connection and stays: what reaches c was delivered to that connection in order,
    // after anything a could still have been given.
    first.subscribeInApp((event) => got.push(['c', label(event)]))
    second.subscribeInApp((event) => got.push(['b', label(event)]))
    // What the connection's flush() would prove, through the transport (which does not expose its
    // connection): the server handles a connection's protocol in order, so a marker a connection
    // publishes reaching a subscriber shows that its earlier SUB or UNSUB is in effect.
    const markers = new Set<string>()
    const reached = (who: string, what: string) => got.some((entry) => entry[0] === who && entry[1] === what)
    const barrier = async (from: typeof first, subscriber: string, marker: string) => {
      markers.add(marker)
      await from.publishInApp(route(marker))
      await until(() => reached(subscriber, marker), `${marker} to reach ${subscriber}`)
    }
    const of = (who: string) => got.filter((entry) => entry[0] === who && !markers.has(entry[1])).map((entry) => entry[1])
    await barrier(first, 'a', 'marker: a and c subscribed')
    await barrier(second, 'b', 'marker: b subscribed')
    await first.publishInApp(route('alice'))
    await until(() => ['a', 'b', 'c'].every((who) => reached(who, 'alice')), 'every subscriber')
    await a.stop()
    await barrier(first, 'b', 'marker: a unsubscribed')
    await second.publishInApp(route('bob'))
    await second.publishInApp({ kind: 'developer-changed', developerId: 9 })
    // Control: the stopped subscriber would have got these on its connection before c got this.
    await second.publishInApp(route('control'))
    await until(() => reached('b', 'control') && reached('c', 'control'), 'the control message')
    t.same(of('a'), ['alice'], 'nothing after it stopped')
    t.notOk(reached('a', 'marker: a unsubscribed'), 'not even its own connection\'s message after it')
    t.same(of('b'), ['alice', 'bob', 'developer 9', 'control'])
    t.same(of('c'), ['alice', 'bob', 'developer 9', 'control'])
  })
}

t.test('nats: a queued callback outlives the publishing connection', async (t) => {
  const prefix = await natsPrefix(t)
  const publisher = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'publisher' })
  const queued = callback()
  await publisher.publishCallback(queued)
  await publisher.close()
  const consumer = await natsFactory(t, prefix)
  const seen: CallbackCommand[] = []
  consumer.consumeCallbacks(async (delivery) => { seen.push(delivery.callback); await delivery.ack() }, { concurrency: 1 })
  await until(() => seen.length === 1, 'the callback after a restart')
  t.same(seen[0], queued)
})

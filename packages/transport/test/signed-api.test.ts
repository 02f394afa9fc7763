import { randomUUID } from 'node:crypto'
import type { CallbackCommand, InAppBroadcast, InAppRoute } from '@beacon/contracts'
import { testNatsUrl, until } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createNatsTransport, type CallbackDelivery } from '../src/index.js'
import { memoryFactory, natsFactory, natsPrefix } from './fixtures.js'

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
    const transport = await factory(t, await prefixFor(t))
    const seen: CallbackDelivery[] = []
    transport.consumeCallbacks(async (delivery) => {
      seen.push(delivery)
      if (delivery.deliveryCount < 3) delivery.retry(30)
      else await delivery.ack()
    }, { concurrency: 2 })
    const one = callback()
    await transport.publishCallback(one)
    await transport.publishCallback(one)
    await until(() => seen.length >= 3, 'three attempts')
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.same(seen.map((delivery) => delivery.deliveryCount), [1, 2, 3], 'one callback, three attempts, no duplicate')
    t.same(seen[0]?.callback, one)
  })

  t.test(`${kind}: a dropped callback does not come back`, async (t) => {
    const transport = await factory(t, await prefixFor(t))
    let attempts = 0
    transport.consumeCallbacks(async (delivery) => { attempts++; await delivery.drop() }, { concurrency: 1 })
    await transport.publishCallback(callback())
    await until(() => attempts === 1, 'the attempt')
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(attempts, 1)
  })

  t.test(`${kind}: in-app routes reach every subscriber, and none after it stops`, async (t) => {
    const prefix = await prefixFor(t)
    const first = await factory(t, prefix)
    // A second instance: with NATS another connection (another api process); in memory the same transport.
    const second = kind === 'nats' ? await factory(t, prefix) : first
    const got: Array<[string, string]> = []
    const label = (event: InAppBroadcast) => event.kind === 'message' ? event.userId : `developer ${event.developerId}`
    const a = first.subscribeInApp((event) => got.push(['a', label(event)]))
    second.subscribeInApp((event) => got.push(['b', label(event)]))
    if (kind === 'nats') await new Promise((resolve) => setTimeout(resolve, 100)) // subscriptions reach the server
    await first.publishInApp(route('alice'))
    await until(() => got.length >= 2, 'both subscribers')
    t.same(got.sort(), [['a', 'alice'], ['b', 'alice']])
    await a.stop()
    if (kind === 'nats') await new Promise((resolve) => setTimeout(resolve, 100))
    await second.publishInApp(route('bob'))
    await second.publishInApp({ kind: 'developer-changed', developerId: 9 })
    await until(() => got.length >= 4, 'the remaining subscriber')
    // The stopped subscriber would have got them before the control message: none came.
    await second.publishInApp(route('control'))
    await until(() => got.length >= 5, 'the control message')
    t.same(got.slice(2), [['b', 'bob'], ['b', 'developer 9'], ['b', 'control']])
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

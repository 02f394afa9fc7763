import { getEventListeners } from 'node:events'
import t from 'tap'
import { SendSlots, sendSlotsRegistry } from '../../../src/delivery/sends/send-slots.js'

/** A take's promise, with what it resolved to once it has (read after `turn`). */
function watched (taking: Promise<number>) {
  const state: { n?: number } = {}
  taking.then((n) => { state.n = n }, () => {})
  return state
}
/** Lets every promise settled by now run its reactions. */
const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('a take gets as many slots as are free up to what it wants; one that waits is given what is free when slots come back, up to what it wants', async (t) => {
  const slots = new SendSlots(4)
  t.equal(await slots.take(3, 1), 3)
  t.equal(await slots.take(3, 1), 1, 'only one was free')
  const waiting = watched(slots.take(5, 1))
  await turn()
  t.equal(waiting.n, undefined, 'none free: it waits')
  slots.give(2)
  await turn()
  t.equal(waiting.n, 2, 'the two given back')
  slots.give(4)
  t.equal(await slots.take(9, 1), 4, 'never more than the capacity')
})

t.test('takes wait in order of asking: a later one does not pass one waiting for more', async (t) => {
  const slots = new SendSlots(2)
  t.equal(await slots.take(2, 1), 2)
  slots.give(1)
  const first = watched(slots.take(2, 2))
  const second = watched(slots.take(1, 1))
  await turn()
  t.same([first.n, second.n], [undefined, undefined], 'one free: the first needs two, the second waits behind it')
  slots.give(1)
  await turn()
  t.same([first.n, second.n], [2, undefined], 'the first served first')
  slots.give(2)
  await turn()
  t.equal(second.n, 1)
})

t.test('a waiting take whose signal aborts gets nothing and leaves the queue: the slots given back later are the next taker\'s, none lost', async (t) => {
  const slots = new SendSlots(1)
  t.equal(await slots.take(1, 1), 1)
  const stop = new AbortController()
  const abandoned = watched(slots.take(1, 1, stop.signal))
  stop.abort()
  await turn()
  t.equal(abandoned.n, 0, 'nothing taken')
  slots.give(1)
  const next = watched(slots.take(1, 1))
  await turn()
  t.equal(next.n, 1, 'the slot given back went to the next taker')
})

t.test('a take whose signal has already aborted gets nothing at once, and no slot given back later goes to it', async (t) => {
  const slots = new SendSlots(1)
  t.equal(await slots.take(1, 1), 1)
  const stop = new AbortController()
  stop.abort()
  const late = watched(slots.take(1, 1, stop.signal))
  await turn()
  t.equal(late.n, 0, 'resolved with nothing, without waiting for a slot')
  slots.give(1)
  t.equal(await slots.take(1, 1), 1, 'the slot is the next taker\'s')
})

t.test('a waiting take served lets go of its signal', async (t) => {
  const slots = new SendSlots(1)
  t.equal(await slots.take(1, 1), 1)
  const stop = new AbortController()
  const served = watched(slots.take(1, 1, stop.signal))
  t.equal(getEventListeners(stop.signal, 'abort').length, 1, 'listening while it waits')
  slots.give(1)
  await turn()
  t.equal(served.n, 1)
  t.equal(getEventListeners(stop.signal, 'abort').length, 0, 'nothing left on the signal')
})

t.test('a window of claims is an eighth of the slots, one at least', async (t) => {
  t.same([1, 7, 8, 16, 64, 100].map((capacity) => new SendSlots(capacity).batch), [1, 1, 1, 2, 8, 12])
})

t.test('the slots of a sender: one set per APNs application, one for FCM, each with its platform\'s capacity, kept across calls', async (t) => {
  const registry = sendSlotsRegistry({ APNS: 3, FCM: 5 })
  const apns1 = registry.of('APNS', 1)
  t.equal(registry.of('APNS', 1), apns1, 'the same application\'s slots each time')
  t.not(registry.of('APNS', 2), apns1, 'another application has its own')
  t.equal(registry.of('FCM', 1), registry.of('FCM', 2), 'FCM: one limiter for every application')
  t.same([apns1.capacity, registry.of('APNS', 2).capacity, registry.of('FCM', 1).capacity], [3, 3, 5])
  t.equal(await apns1.take(3, 1), 3)
  t.equal(await registry.of('APNS', 1).take(1, 1, AbortSignal.abort()), 0, 'the slots taken are those of the same set')
})

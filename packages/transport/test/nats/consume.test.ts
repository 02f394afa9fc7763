import type { Consumer } from '@nats-io/jetstream'
import t from 'tap'
import { consumeBatches } from '../../src/nats/consume.js'

interface FakeMessage { n: number, naks: number, nak: () => void }

/** A consumer whose messages are pushed by the test; close() delivers `onClose` first (arrived as the stop came), then ends. */
function fakeConsumer () {
  const queue: FakeMessage[] = []
  let wake: (() => void) | undefined
  let ended = false
  let onClose: FakeMessage[] = []
  const push = (...messages: FakeMessage[]) => { queue.push(...messages); wake?.() }
  const messages = {
    close: async () => { push(...onClose); ended = true; wake?.() },
    async * [Symbol.asyncIterator] () {
      for (;;) {
        const next = queue.shift()
        if (next !== undefined) { yield next; continue }
        if (ended) return
        await new Promise<void>((resolve) => { wake = resolve })
      }
    }
  }
  const consumer = { consume: async () => messages } as unknown as Consumer
  return { consumer, push, arriveAtClose: (...messages: FakeMessage[]) => { onClose = messages } }
}
const message = (n: number): FakeMessage => {
  const made: FakeMessage = { n, naks: 0, nak: () => { made.naks++ } }
  return made
}
const until = async (condition: () => boolean, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('a backlog larger than a batch is handed over whole, a batch at a time, with nothing more arriving', async (t) => {
  const { consumer, push } = fakeConsumer()
  const batches: number[][] = []
  const consuming = consumeBatches(consumer, { maxBatch: 10, concurrency: 1 }, async (messages) => {
    batches.push(messages.map((m) => (m as unknown as FakeMessage).n))
    await new Promise((resolve) => setTimeout(resolve, 5))
  }, (error) => { throw error })
  t.teardown(() => consuming.stop())
  push(...Array.from({ length: 25 }, (_, i) => message(i + 1)))
  await until(() => batches.flat().length === 25, 'all 25 handed over')
  t.same(batches.map((b) => b.length), [10, 10, 5], 'at most maxBatch at a time')
  t.same(batches.flat(), Array.from({ length: 25 }, (_, i) => i + 1), 'each once, in order')
})

t.test('a message arriving after stop() goes back (nak) for another holder, not to the handler', async (t) => {
  const { consumer, push, arriveAtClose } = fakeConsumer()
  const handled: number[] = []
  const consuming = consumeBatches(consumer, { maxBatch: 10, concurrency: 1 }, async (messages) => {
    handled.push(...messages.map((m) => (m as unknown as FakeMessage).n))
  }, (error) => { throw error })
  push(message(1))
  await until(() => handled.length === 1, 'the first')
  const late = message(2)
  arriveAtClose(late)
  await consuming.stop()
  t.same(handled, [1], 'the late one was not handled')
  t.equal(late.naks, 1, 'it was given back')
})

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Consumer } from '@nats-io/jetstream'
import t from 'tap'
import { consumeSlots } from '../../src/nats/consume-slots.js'

// A consumer whose every pull comes back empty at once: the loop pulls as fast as it can.
const emptyPulls = (): { consumer: Consumer, pulls: () => number } => {
  let pulls = 0
  const consumer = {
    fetch: async () => {
      pulls++
      await new Promise((resolve) => setImmediate(resolve))
      return { close: async () => {}, [Symbol.asyncIterator]: async function * () {} }
    }
  } as unknown as Consumer
  return { consumer, pulls: () => pulls }
}

t.test('a pull keeps nothing once it is over, however long the consumer runs (the dispatcher pulls once per command)', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const { consumer, pulls } = emptyPulls()
  gc()
  const before = process.memoryUsage().heapUsed
  const consuming = consumeSlots(consumer, { concurrency: 4, ready: async () => {} }, async () => {}, () => {})
  while (pulls() < 100_000) await new Promise((resolve) => setTimeout(resolve, 50))
  gc()
  const grownMb = (process.memoryUsage().heapUsed - before) / 1e6
  await consuming.stop()
  t.ok(grownMb < 8, `100,000 pulls while consuming keep nothing (${grownMb.toFixed(1)} MB; a reaction per pull on a promise settled only at stop kept tens of MB)`)
})

t.test('stop() wakes a loop waiting on a ready() that does not come (an outage)', async (t) => {
  const { consumer } = emptyPulls()
  const consuming = consumeSlots(consumer, { concurrency: 1, ready: () => new Promise(() => {}) }, async () => {}, () => {})
  await new Promise((resolve) => setTimeout(resolve, 20))
  await t.resolves(consuming.stop(), 'stopped without the holder becoming ready')
})

t.test('a message arriving as stop() closes the pull goes back (nak) for another holder, not to the handler', async (t) => {
  const late = { naks: 0, nak () { late.naks++ } }
  let pulls = 0
  const consumer = {
    fetch: async () => {
      pulls++
      let close: () => void = () => {}
      const closed = new Promise<void>((resolve) => { close = resolve })
      // Nothing until the pull is closed; then the one that was on its way, and the end.
      return { close: async () => { close() }, [Symbol.asyncIterator]: async function * () { await closed; yield late } }
    }
  } as unknown as Consumer
  let handled = 0
  const stoppable = consumeSlots(consumer, { concurrency: 1 }, async () => { handled++ }, (error) => { throw error })
  // The pull under way (not only asked for).
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(pulls, 1, 'pulling')
  await stoppable.stop()
  t.equal(handled, 0, 'not handled')
  t.equal(late.naks, 1, 'given back')
})

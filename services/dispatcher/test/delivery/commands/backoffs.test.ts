import { backoffDelay } from '@beacon/backoff'
import t from 'tap'
import { HOLD_BACKOFF, REDELIVERY_BACKOFF } from '../../../src/delivery/commands/run.js'

t.test('a step held through an outage is tried again after 250 ms, doubling to 5 s, without jitter', async (t) => {
  const waits = (random: () => number) => [1, 2, 3, 4, 5, 6, 7].map((tries) => backoffDelay(HOLD_BACKOFF, tries, random))
  t.same(waits(() => 0), [250, 500, 1000, 2000, 4000, 5000, 5000])
  t.same(waits(() => 0.99), [250, 500, 1000, 2000, 4000, 5000, 5000], 'the same whatever the draw')
})

t.test('a command whose handling failed is redelivered after 1 s, doubling to a minute, without jitter', async (t) => {
  const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((deliveryCount) => backoffDelay(REDELIVERY_BACKOFF, deliveryCount, Math.random))
  t.same(waits, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000])
})

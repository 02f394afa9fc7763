import t from 'tap'
import { retryDelay } from '../../../src/domain/callbacks/delivery.js'

const noJitter = () => 0
const mostJitter = () => 0.999_999

// guarantee: callback-max-delay
t.test('retry delays: base·2^(attempt−1), capped at the maximum, less up to 20 % jitter', async (t) => {
  t.same([1, 2, 3, 4, 5].map((attempt) => retryDelay(attempt, 1000, 300_000, noJitter)), [1000, 2000, 4000, 8000, 16_000], 'doubling')
  t.equal(retryDelay(9, 1000, 300_000, noJitter), 256_000, 'under the cap')
  t.equal(retryDelay(10, 1000, 300_000, noJitter), 300_000, '512 s is capped at CALLBACK_MAX_DELAY_MS')
  t.equal(retryDelay(10, 1000, 300_000, mostJitter), 240_000, 'the jitter takes at most 20 % off the cap')
  for (let attempt = 1; attempt <= 1100; attempt++) {
    // Far past the cap, 2^(attempt−1) overflows to Infinity: still the cap.
    const delays = [noJitter, mostJitter].map((random) => retryDelay(attempt, 1000, 300_000, random))
    if (delays.some((delay) => !(delay <= 300_000 && delay >= 0))) t.fail(`attempt ${attempt}: ${delays.join(', ')} ms`)
  }
  t.equal(retryDelay(1, 1000, 300_000, mostJitter), 800, 'the first retry, least')
})

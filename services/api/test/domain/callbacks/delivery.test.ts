import t from 'tap'
import { retryDelay } from '../../../src/domain/callbacks/delivery.js'

// The draws at both ends of random(): the jitter takes nothing off, or (almost) all it may.
const noJitter = () => 0.999_999
const mostJitter = () => 0

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

t.test('the default callback schedule (CALLBACK_BASE_DELAY_MS 1000, CALLBACK_MAX_DELAY_MS 300000) per attempt, within its jitter bounds', async (t) => {
  const attempts = Array.from({ length: 11 }, (_, index) => index + 1)
  const most = attempts.map((attempt) => retryDelay(attempt, 1000, 300_000, noJitter))
  const least = attempts.map((attempt) => retryDelay(attempt, 1000, 300_000, mostJitter))
  t.same(most, [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000])
  t.same(least, [800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 102_400, 204_800, 240_000, 240_000])
  for (let draw = 0; draw < 500; draw++) {
    const index = draw % attempts.length
    const delay = retryDelay(attempts[index]!, 1000, 300_000)
    if (delay < least[index]! || delay > most[index]!) t.fail(`attempt ${attempts[index]}: ${delay}`)
  }
})

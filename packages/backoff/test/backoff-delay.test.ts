import t from 'tap'
import { backoffDelay, type Backoff } from '../src/index.js'

// The two ends of random(): 0, and the largest double below 1 (Math.random never returns 1).
const LOWEST = () => 0
const HIGHEST = () => 1 - Number.EPSILON / 2

const delays = (backoff: Backoff, attempts: number, random: () => number) =>
  Array.from({ length: attempts }, (_, index) => backoffDelay(backoff, index + 1, random))

t.test('exponential from the base, by the factor, capped; no jitter unless asked', async (t) => {
  t.same(delays({ baseMs: 250, maxMs: 5000 }, 7, Math.random), [250, 500, 1000, 2000, 4000, 5000, 5000], 'factor 2 by default, capped at maxMs')
  t.same(delays({ baseMs: 100, factor: 3 }, 4, Math.random), [100, 300, 900, 2700], 'another factor, no cap')
  t.same(delays({ baseMs: 100, factor: 1, maxMs: 50 }, 3, Math.random), [50, 50, 50], 'a constant delay, capped below the base')
  t.equal(backoffDelay({ baseMs: 100 }, 0), 100, 'an attempt below 1 counts as the first')
})

t.test('jitter takes a random share of the delay: the rest is always waited', async (t) => {
  const equal = { baseMs: 1000, maxMs: 8000, jitter: 0.5 }
  t.same(delays(equal, 5, LOWEST), [500, 1000, 2000, 4000, 4000], 'equal jitter: at least half')
  t.same(delays(equal, 5, HIGHEST).map(Math.ceil), [1000, 2000, 4000, 8000, 8000], 'and at most the whole')
  const full = { baseMs: 20, jitter: 1 }
  t.same(delays(full, 2, LOWEST), [0, 0], 'full jitter: from nothing')
  t.same(delays(full, 2, HIGHEST).map(Math.ceil), [20, 40], 'up to the whole')
})

t.test('every draw lies within the bounds', async (t) => {
  for (const jitter of [0, 0.2, 0.5, 1]) {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const whole = Math.min(60_000, 1000 * 2 ** (attempt - 1))
      for (let draw = 0; draw < 200; draw++) {
        const delay = backoffDelay({ baseMs: 1000, maxMs: 60_000, jitter }, attempt)
        if (delay < whole * (1 - jitter) || delay > whole) t.fail(`jitter ${jitter}, attempt ${attempt}: ${delay} outside [${whole * (1 - jitter)}, ${whole}]`)
      }
    }
  }
  t.pass('within [d·(1 − jitter), d] for every jitter and attempt')
})

t.test('a jitter outside [0, 1] is a programming error, said at once', async (t) => {
  t.throws(() => backoffDelay({ baseMs: 1, jitter: 1.5 }, 1), RangeError)
  t.throws(() => backoffDelay({ baseMs: 1, jitter: -0.1 }, 1), RangeError)
  t.throws(() => backoffDelay({ baseMs: 1, jitter: Number.NaN }, 1), RangeError)
})

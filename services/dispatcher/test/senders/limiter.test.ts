import t from 'tap'
import { createLimiter } from '../../src/senders/limiter.js'

t.test('never more than max at once, all tasks run, in order of arrival, failures released', async (t) => {
  const limit = createLimiter(3)
  let active = 0
  let peak = 0
  const started: number[] = []
  const task = (n: number) => limit(async () => {
    started.push(n)
    active++
    peak = Math.max(peak, active)
    await new Promise((resolve) => setTimeout(resolve, 5))
    active--
    if (n === 4) throw new Error('boom')
    return n
  })
  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => task(n)))
  t.equal(peak, 3)
  t.same(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 9)
  t.equal(await limit(async () => 'after a failure'), 'after a failure', 'a failed task frees its slot')
})

import t from 'tap'
import { createLimiter, mapThrough } from '../../src/senders/limiter.js'

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

t.test('mapThrough: results in order, never more of one call waiting than the limiter runs', async (t) => {
  const limit = createLimiter(4)
  let queued = 0
  let peakQueued = 0
  const tracked = Object.assign(async <T>(task: () => Promise<T>): Promise<T> => {
    queued++
    peakQueued = Math.max(peakQueued, queued)
    try { return await limit(task) } finally { queued-- }
  }, { max: limit.max })
  const results = await mapThrough(Array.from({ length: 50 }, (_, n) => n), tracked, async (n) => {
    await new Promise((resolve) => setTimeout(resolve, n % 3))
    return n * 2
  })
  t.same(results, Array.from({ length: 50 }, (_, n) => n * 2))
  t.equal(peakQueued, 4, 'at most limit.max of the 50 items on the limiter at once')
  t.same(await mapThrough([], limit, async () => 1), [])
})

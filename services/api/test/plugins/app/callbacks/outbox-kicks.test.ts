import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { outboxKicks } from '../../../../src/plugins/app/callbacks/outbox-kicks.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function counted () {
  const kicks: number[] = []
  const app = { outbox: { kick: () => { kicks.push(performance.now()) } } } as unknown as Pick<FastifyInstance, 'outbox'>
  return { kicks, kickAfter: outboxKicks(app) }
}

t.test('the sweeper is woken when each queued copy falls due, not only the first time', async (t) => {
  const { kicks, kickAfter } = counted()
  t.teardown(() => { kickAfter.cancel() })
  kickAfter(20)
  await sleep(150)
  t.equal(kicks.length, 1, 'the first wake-up')
  kickAfter(20)
  await sleep(150)
  t.equal(kicks.length, 2, 'a copy queued after it gets its own')
})

t.test('an earlier copy brings the wake-up forward; a later one waits for the earlier', async (t) => {
  const { kicks, kickAfter } = counted()
  t.teardown(() => { kickAfter.cancel() })
  kickAfter(5000)
  kickAfter(10)
  kickAfter(3000)
  await sleep(300)
  t.equal(kicks.length, 1, 'woken for the earliest, long before the first one asked')
})

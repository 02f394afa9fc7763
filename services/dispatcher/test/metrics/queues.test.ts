import { natsNames } from '@beacon/contracts'
import { scrape } from '@beacon/metrics'
import t from 'tap'
import { reportQueues } from '../../src/metrics/queues.js'
import { startHarness } from '../harness.js'
import { metricValue } from './metric-values.js'

t.test('the work queues\' backlog is read from the broker at scrape, labelled by role, one read for concurrent scrapes', async (t) => {
  const h = await startHarness(t)
  // The dispatchers' durable consumer exists once a dispatcher consumed; stopped, it holds what comes.
  const dispatcher = await h.startDispatcher()
  await dispatcher.stop(1000)
  const userId = 'queue-user'
  for (let n = 0; n < 3; n++) await h.transport.publishCommand(await h.storeMessage(userId))

  let reads = 0
  const counted = { queueState: async () => { reads++; return h.transport.queueState() } }
  const unreport = reportQueues(counted, h.prefix)
  t.teardown(unreport)
  const [first, second] = await Promise.all([scrape(), scrape()])
  t.equal(reads, 1, 'two scrapes at once asked the broker once')
  t.equal(first.body, second.body)
  const pending = await metricValue('beacon_queue_pending', { queue: 'commands' }) + await metricValue('beacon_queue_ack_pending', { queue: 'commands' })
  t.equal(pending, 3, 'the three commands waiting')
  const queues = new Set([...first.body.matchAll(/beacon_queue_\w+\{queue="([^"]+)"\}/g)].map((match) => match[1]))
  t.same([...queues].sort(), ['callbacks', 'commands', 'results'], 'the queue label is the role, never the prefixed stream name')
  t.notOk(first.body.includes(natsNames(h.prefix).commandStream))

  unreport()
  t.notMatch((await scrape()).body, /beacon_queue_pending\{/, 'no backlog reported once the dispatcher stopped')
})

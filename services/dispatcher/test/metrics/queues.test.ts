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

// guarantee: queue-redelivered-gauge
t.test('a command delivered again and not yet acknowledged counts in beacon_queue_redelivered, one in hand on its first delivery does not', async (t) => {
  const h = await startHarness(t)
  // The dispatchers' durable consumer, made by a dispatcher that then stops.
  const dispatcher = await h.startDispatcher()
  await dispatcher.stop(1000)
  const unreport = reportQueues(h.transport, h.prefix)
  t.teardown(unreport)
  const again = await h.storeMessage('redelivered-user')
  const once = await h.storeMessage('first-delivery-user')
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  let held = 0
  const consumer = h.transport.consumeCommands(async (delivery) => {
    // `again`'s first delivery is given back at once; its second, and `once`'s first, are held.
    if (delivery.deliveryCount === 1 && 'messageId' in delivery.command && delivery.command.messageId === again.messageId) { delivery.retry(0); return }
    held++
    await released
    await delivery.ack()
  }, { concurrency: 2 })
  t.teardown(() => consumer.stop())
  await h.transport.publishCommand(again)
  await h.transport.publishCommand(once)
  await h.until(() => held === 2, 'both in hand')
  // Read at scrape and cached 2 s: waited for until a read sees both in hand.
  await h.until(async () => await metricValue('beacon_queue_ack_pending', { queue: 'commands' }) === 2, 'both counted in hand', 10_000)
  t.equal(await metricValue('beacon_queue_redelivered', { queue: 'commands' }), 1, 'only the one delivered again')
  release()
  await h.until(async () => await metricValue('beacon_queue_ack_pending', { queue: 'commands' }) === 0, 'both acknowledged', 10_000)
  t.equal(await metricValue('beacon_queue_redelivered', { queue: 'commands' }), 0, 'none once acknowledged')
})

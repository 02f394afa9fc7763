import { natsNames } from '@beacon/contracts'
import { gauge } from '@beacon/metrics'
import type { QueueState } from '@beacon/transport'
import { withinTimeout } from '../within-timeout.js'

type Queue = 'commands' | 'results' | 'callbacks'
interface QueueSource { read (): Promise<QueueState[]>, queueOf: ReadonlyMap<string, Queue> }
interface Backlog { queue: Queue, pending: number, ackPending: number, redelivered: number }

// Concurrent scrapes (several Prometheus servers, the gauges read one after the other) share one
// read of the broker: at most one round of consumer-info requests per CACHE_MS.
const CACHE_MS = 2000
// A scrape must not hang on a broker that does not answer: its queues are then left out.
const READ_TIMEOUT_MS = 1000

let source: QueueSource | undefined
let cached: { at: number, backlog: Promise<Backlog[]> } | undefined

async function readBacklog (from: QueueSource): Promise<Backlog[]> {
  const states = await withinTimeout(from.read().catch(() => []), [], READ_TIMEOUT_MS)
  return states.flatMap((state) => {
    const queue = from.queueOf.get(state.stream)
    return queue === undefined ? [] : [{ queue, pending: state.pending, ackPending: state.ackPending, redelivered: state.redelivered }]
  })
}

function backlog (): Promise<Backlog[]> {
  if (source === undefined) return Promise.resolve([])
  if (cached === undefined || Date.now() - cached.at >= CACHE_MS) cached = { at: Date.now(), backlog: readBacklog(source) }
  return cached.backlog
}

const queueGauge = (name: string, help: string, field: 'pending' | 'ackPending' | 'redelivered') => gauge({
  name,
  help,
  labelNames: ['queue'] as const,
  async collect () {
    const states = await backlog()
    this.reset()
    for (const state of states) this.set({ queue: state.queue }, state[field])
  }
})

queueGauge('beacon_queue_pending', 'Messages of a work queue (commands, results, callbacks) not yet delivered to its consumer', 'pending')
queueGauge('beacon_queue_ack_pending', 'Messages of a work queue delivered and not yet acknowledged', 'ackPending')
queueGauge('beacon_queue_redelivered', 'Messages of a work queue delivered more than once and not yet acknowledged', 'redelivered')

/**
 * Reports the work queues of the deployment named by `prefix` in the beacon_queue_* gauges, read
 * from the broker at scrape time, until the returned function is called. The queue label is the
 * queue's role, not its prefixed stream name. The last dispatcher to start is the one read.
 */
export function reportQueues (transport: { queueState (): Promise<QueueState[]> }, prefix: string): () => void {
  const names = natsNames(prefix)
  const own: QueueSource = {
    read: () => transport.queueState(),
    queueOf: new Map<string, Queue>([[names.commandStream, 'commands'], [names.resultStream, 'results'], [names.callbackStream, 'callbacks']])
  }
  source = own
  cached = undefined
  return () => {
    if (source !== own) return
    source = undefined
    cached = undefined
  }
}

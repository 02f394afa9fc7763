// nats.js wrote what was published at the end of each task (a microtask): the publishes of the
// callbacks of one event-loop turn (provider answers arriving together, the rows of one group)
// each took a socket write, and a write to NATS was the costliest frame of the api's and the
// dispatcher's CPU profiles sending single messages. patches/ flushes once the turn's callbacks
// have run (setImmediate). This holds the patch to the installed library.
import { testNatsUrl } from '@beacon/testkit'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import t from 'tap'

/** Counts the writes of the connection's socket (the transport is internal to nats.js). */
function countWrites (nc: NatsConnection): () => number {
  const socket = (nc as unknown as { protocol: { transport: { socket: { write: (...args: unknown[]) => boolean } } } }).protocol.transport.socket
  const write = socket.write
  let writes = 0
  socket.write = function (this: unknown, ...args: unknown[]) { writes++; return write.apply(this, args) }
  return () => writes
}

t.test('the publishes of callbacks that run in one turn go out in one socket write, and all arrive', async (t) => {
  const nc = await connect({ servers: testNatsUrl, noAsyncTraces: true })
  t.teardown(() => nc.close())
  const subject = `beacon.test.publish-writes.${process.pid}.${Date.now()}`
  const received: string[] = []
  const sub = nc.subscribe(subject, { callback: (_error, message) => { received.push(message.string()) } })
  t.teardown(() => { sub.unsubscribe() })
  await nc.flush()
  const writes = countWrites(nc)

  // Three immediates queued together run in one check phase: three tasks, one turn, with the
  // microtasks drained between them (where nats.js flushed before the patch). Not three timers:
  // each setTimeout reads the clock anew, and on a loaded machine (the full suite) timers made in
  // one loop came due in two turns, two writes with the patch in place.
  await new Promise<void>((resolve) => {
    for (const i of [1, 2, 3]) setImmediate(() => { nc.publish(subject, `message ${i}`); if (i === 3) setImmediate(resolve) })
  })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(writes(), 1, 'one write for the three publishes')

  await nc.flush()
  t.same(received, ['message 1', 'message 2', 'message 3'], 'each delivered, in order')
})

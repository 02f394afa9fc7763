import { startSilentNetwork, testNatsUrl } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createNatsTransport } from '../src/index.js'
import { CLOSE_LIMIT_MS } from '../src/nats/nats-transport.js'
import { natsPrefix } from './fixtures.js'

/**
 * The test kit's relay to the test NATS server: `close` ends it and its connections, so NATS is
 * unreachable through it; `silence` keeps them open and forwards nothing more either way (a
 * network partition).
 */
async function relay (t: Test) {
  const target = new URL(testNatsUrl)
  const network = await startSilentNetwork(target.hostname, Number(target.port || 4222))
  t.teardown(() => network.close())
  return { url: network.urlFor(testNatsUrl), cut: () => network.close(), freeze: () => { network.silence() } }
}

t.test('close while NATS is unreachable: resolves, and the connection stops reconnecting', async (t) => {
  const prefix = await natsPrefix(t)
  const nats = await relay(t)
  const reported: unknown[] = []
  const transport = await createNatsTransport({ servers: nats.url, prefix, name: 'close-test', onError: (error) => reported.push(error) })
  const disconnected = new Promise<void>((resolve) => {
    const watch = transport.watchConnection((connected) => { if (!connected) { resolve(); watch.stop().catch(() => {}) } })
  })
  await nats.cut()
  await disconnected
  await t.resolves(transport.close(), 'closed, not "connection disconnected"')
  t.equal(reported.length, 1, 'the failed drain reported, once')
  t.match(String(reported[0]), /disconnect|closed|timeout|drain/i)
  // Nothing of the transport keeps the event loop alive: tap's own timeout would end a test that hung on it.
})

// guarantee: transport-close-bounded
t.test('close while NATS answers nothing (a partition): resolves within its bound, the connection closed', async (t) => {
  const prefix = await natsPrefix(t)
  const nats = await relay(t)
  const reported: unknown[] = []
  const transport = await createNatsTransport({ servers: nats.url, prefix, name: 'close-frozen-test', onError: (error) => reported.push(error) })
  // A consumer, as the dispatcher's and the recorder's, to be stopped by the close.
  transport.consumeCommands(async (delivery) => { delivery.ack() }, { concurrency: 1 })
  await new Promise((resolve) => setTimeout(resolve, 200))
  nats.freeze()
  // Without a bound the drain waits for NATS's ping timeout: minutes.
  const outcome = await Promise.race([
    transport.close().then(() => 'closed'),
    new Promise<string>((resolve) => setTimeout(resolve, CLOSE_LIMIT_MS + 3000, 'still closing').unref())
  ])
  t.equal(outcome, 'closed')
  t.match(reported, [{ code: 'TRANSPORT_CLOSE_TIMEOUT' }], 'the unfinished drain reported, with its code')
})

t.test('the close\'s limit can be given: a shorter one closes sooner', async (t) => {
  const prefix = await natsPrefix(t)
  const nats = await relay(t)
  const reported: unknown[] = []
  const transport = await createNatsTransport({ servers: nats.url, prefix, name: 'close-limit-test', onError: (error) => reported.push(error) })
  nats.freeze()
  const outcome = await Promise.race([
    transport.close({ limitMs: 200 }).then(() => 'closed'),
    new Promise<string>((resolve) => setTimeout(resolve, CLOSE_LIMIT_MS - 200, 'still closing').unref())
  ])
  t.equal(outcome, 'closed', 'closed before the default limit would have let it')
  t.match(String(reported[0]), /drain within \d+ ms/)
})

t.test('with a limit, a consumer whose handler never ends does not hold the close past it', async (t) => {
  const prefix = await natsPrefix(t)
  const reported: unknown[] = []
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'close-handler-test', commandAckWaitMs: 1000, onError: (error) => reported.push(error) })
  let entered!: () => void
  const handling = new Promise<void>((resolve) => { entered = resolve })
  // A command whose handling hangs (a provider that never answers, say).
  transport.consumeCommands(async () => { entered(); await new Promise(() => {}) }, { concurrency: 1 })
  await transport.publishCommand({ kind: 'message', messageId: '00000000-0000-4000-8000-000000000001', applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'hi' } })
  await handling
  const outcome = await Promise.race([
    transport.close({ limitMs: 300 }).then(() => 'closed'),
    new Promise<string>((resolve) => setTimeout(resolve, 3000, 'still closing').unref())
  ])
  t.equal(outcome, 'closed')
  t.match(reported, [{ code: 'TRANSPORT_CLOSE_TIMEOUT', message: /consumers did not stop within/ }])
})

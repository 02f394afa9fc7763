import { startSilentNetwork } from '@beacon/testkit'
import t from 'tap'
import { resultsOf, startCuttableProxy, startHarness, viaPort, type Harness } from '../harness.js'

const logged = (logs: Array<Record<string, unknown>>, message: string) => logs.some((line) => line.msg === message)

/** The test kit's relay in front of the server `url` names (`port` if it names none), closed with the harness. */
async function silentNetworkTo (h: Harness, url: string, port: number) {
  const upstream = new URL(url)
  const network = await startSilentNetwork(upstream.hostname, Number(upstream.port || port))
  h.afterwards(() => network.close())
  return network
}

t.test('PostgreSQL unreachable mid-command: the command is held (no redelivery), finished once it is back, every device once', async (t) => {
  const h = await startHarness(t)
  const proxy = await startCuttableProxy({ host: '127.0.0.1', port: Number(new URL(h.databaseUrl).port || 5432) })
  h.afterwards(() => proxy.close())
  const tokens = await h.addDevices('outage', 8, 'APNS')
  for (const token of tokens) h.apns.script(token, { kind: 'slow', delayMs: 300 })
  await h.startDispatcher({ DATABASE_URL: viaPort(h.databaseUrl, proxy.port), APNS_MAX_STREAMS: '2' })
  const command = await h.storeMessage('outage')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.counters.requests >= 2, 'the first answers')
  await proxy.cut()
  await h.until(() => logged(h.logs, 'dispatcher paused: database unreachable'), 'the pause')
  await proxy.restore()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  // The ack follows the summary (after the command's lease is marked done).
  await h.until(() => logged(h.logs, 'command done'), 'the command acknowledged')

  t.ok(logged(h.logs, 'dispatcher resumed'), 'resumed')
  t.same(tokens.map((token) => h.apns.received(token).length), tokens.map(() => 1), 'every device reached once')
  t.match(resultsOf(h.events, command.messageId).summary, { ios: { sent: 8, total: 8 } })
  const done = h.logs.filter((line) => line.msg === 'command done')
  t.same(done.map((line) => line.delivery), [1], 'finished on its first delivery: nothing was given back')
  t.notOk(h.logs.some((line) => line.msg === 'command failed; it will be retried'), 'never failed')
})

// A database that goes silent (a failed-over primary: packets dropped, connections never reset)
// mid-command. Only DATABASE_QUERY_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS end the statements
// waiting on it: without them the dispatcher waited on those connections for good.
// guarantee: database-silent
t.test('PostgreSQL silent mid-command: the dispatcher pauses within its limits and, once new connections answer, finishes every device once', async (t) => {
  const h = await startHarness(t)
  const network = await silentNetworkTo(h, h.databaseUrl, 5432)
  const tokens = await h.addDevices('silent', 8, 'APNS')
  for (const token of tokens) h.apns.script(token, { kind: 'slow', delayMs: 300 })
  await h.startDispatcher({ DATABASE_URL: network.urlFor(h.databaseUrl), APNS_MAX_STREAMS: '2', DATABASE_QUERY_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' })
  const command = await h.storeMessage('silent')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.counters.requests >= 2, 'the first answers')
  network.silence()
  await h.until(() => logged(h.logs, 'dispatcher paused: database unreachable'), 'the pause')
  network.heal()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary', 30_000)
  await h.until(() => logged(h.logs, 'command done'), 'the command acknowledged')

  t.ok(network.silenced > 0, 'the dispatcher\'s connections were silenced')
  t.ok(logged(h.logs, 'dispatcher resumed'), 'resumed')
  t.same(tokens.map((token) => h.apns.received(token).length), tokens.map(() => 1), 'every device reached once')
  t.match(resultsOf(h.events, command.messageId).summary, { ios: { sent: 8, total: 8 } })
  t.notOk(h.logs.some((line) => line.msg === 'command failed; it will be retried'), 'never failed: a silence is an outage')
})

t.test('NATS unreachable when the results are published: held and published once NATS is back, with the real outcomes', async (t) => {
  const h = await startHarness(t)
  const proxy = await startCuttableProxy({ host: '127.0.0.1', port: Number(new URL(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222').port || 4222) })
  h.afterwards(() => proxy.close())
  const [dead, alive] = await h.addDevices('nats-outage', 2, 'APNS')
  h.apns.script(dead!, 'unregistered')
  h.apns.script(alive!, { kind: 'slow', delayMs: 600 })
  await h.startDispatcher({}, { natsUrl: `nats://127.0.0.1:${proxy.port}` })
  const command = await h.storeMessage('nats-outage')
  await h.transport.publishCommand(command)
  await h.until(async () => (await h.db.messageDelivery.count({ where: { messageId: command.messageId } })) === 2, 'both claimed')
  await proxy.cut()
  await h.until(() => logged(h.logs, 'dispatcher paused: NATS unreachable'), 'the pause')
  await h.until(() => h.apns.counters.requests === 2, 'both answered while NATS is away')
  await proxy.restore()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary', 30_000)

  const { devices } = resultsOf(h.events, command.messageId)
  t.same(devices.map((d) => [d.status, d.tokenInvalid, d.unconfirmed === true]).sort(), [['FAILED', true, false], ['SENT', false, false]],
    'the invalid token is reported as such: no result was lost or replaced by an unconfirmed one')
  t.ok(logged(h.logs, 'dispatcher resumed'), 'resumed')
  t.equal(h.apns.log.length, 2, 'nothing sent twice')
})

// NATS gone silent (a partition, a failed server whose packets are dropped) while results are
// published: the connection neither answers nor closes. Two pings unanswered (NATS_PING_INTERVAL_MS)
// and it is taken for dead: the dispatcher reconnects once NATS answers again. With nats.js's own
// 2 minutes it waited 4 to 6 before trying, holding its results all the while.
// guarantee: nats-silent
t.test('NATS silent mid-command: held while silent, and once NATS answers again published with the real outcomes, every device once', async (t) => {
  const h = await startHarness(t)
  const upstream = new URL(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222')
  const network = await silentNetworkTo(h, upstream.toString(), 4222)
  const [sent, slow] = await h.addDevices('nats-silent', 2, 'APNS')
  h.apns.script(slow!, { kind: 'slow', delayMs: 800 })
  await h.startDispatcher({ NATS_PING_INTERVAL_MS: '1000' }, { natsUrl: network.urlFor(upstream.toString()) })
  const command = await h.storeMessage('nats-silent')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.counters.requests >= 1, 'the first device answered')
  network.silence()
  await h.until(() => logged(h.logs, 'dispatcher paused: NATS unreachable'), 'the pause')
  network.heal()
  const healedAt = Date.now()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary', 40_000)
  // A reconnection attempt made while NATS was silent waits one interval (2 s at least), not
  // nats.js's 20 s: the summary comes well inside 15 s of NATS answering again (~4 s here).
  t.ok(Date.now() - healedAt < 15_000, `the summary ${Date.now() - healedAt} ms after NATS answered again`)

  t.ok(network.silenced > 0, 'the dispatcher\'s connection was silenced')
  t.ok(logged(h.logs, 'dispatcher resumed'), 'resumed')
  t.same([sent, slow].map((token) => h.apns.received(token!).length), [1, 1], 'every device reached once')
  t.match(resultsOf(h.events, command.messageId).summary, { ios: { sent: 2, total: 2 } }, 'the real outcomes')
})

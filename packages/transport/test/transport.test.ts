import { randomUUID } from 'node:crypto'
import type { DeviceResult, SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { commandId, natsNames } from '@beacon/contracts'
import t from 'tap'
import { createNatsTransport, TransportErrorCode, type CommandDelivery, type ResultEvent } from '../src/index.js'
import { memoryFactory, natsFactory, natsPrefix, settledQueue } from './fixtures.js'

const command = (overrides: Partial<SendCommand> = {}): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'user-1', personal: false, silent: false, priority: 'HIGH', body: { title: 'hi' }, ...overrides
})
const result = (messageId: string, deviceId: string): DeviceResult =>
  ({ messageId, deviceId, platform: 'APNS', status: 'SENT', tokenInvalid: false, attempts: 1, at: new Date().toISOString() })

const until = async (condition: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

for (const [kind, factory] of [['nats', natsFactory], ['memory', memoryFactory]] as const) {
  t.test(`${kind}: a command published twice is delivered once, and ack settles it`, async (t) => {
    const prefix = kind === 'nats' ? await natsPrefix(t) : 'unused'
    const transport = await factory(t, prefix)
    const seen: CommandDelivery[] = []
    transport.consumeCommands(async (delivery) => { seen.push(delivery); await delivery.ack() }, { concurrency: 4 })
    const one = command()
    await transport.publishCommand(one)
    await transport.publishCommand(one)
    // Control: published after the duplicate, handed over after it had it been kept.
    const control = command()
    await transport.publishCommand(control)
    await until(() => seen.some((delivery) => commandId(delivery.command) === commandId(control)), 'the control')
    const settled = await settledQueue(kind, prefix, 'commands')
    if (settled !== undefined) t.same([settled.stored, settled.deliveries], [2, 2], 'the server kept two and delivered each once')
    t.same(seen.map((delivery) => [commandId(delivery.command), delivery.deliveryCount]), [[commandId(one), 1], [commandId(control), 1]], 'the duplicate was dropped')
    t.same(seen[0]?.command, one)
  })

  t.test(`${kind}: retry gives a command back and it comes again`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const counts: number[] = []
    transport.consumeCommands(async (delivery) => {
      counts.push(delivery.deliveryCount)
      if (delivery.deliveryCount === 1) delivery.retry(50)
      else await delivery.ack()
    }, { concurrency: 1 })
    await transport.publishCommand(command())
    await until(() => counts.length >= 2, 'redelivery')
    t.same(counts, [1, 2])
  })

  t.test(`${kind}: results arrive in batches without duplicates; a failing batch comes again`, async (t) => {
    const prefix = kind === 'nats' ? await natsPrefix(t) : 'unused'
    const transport = await factory(t, prefix)
    const messageId = randomUUID()
    const received: ResultEvent[] = []
    let failOnce = true
    transport.consumeResults(async (events) => {
      if (failOnce) { failOnce = false; throw new Error('database down') }
      received.push(...events)
    }, { maxBatch: 100 })
    await transport.publishDeviceResults([result(messageId, '1'), result(messageId, '2'), result(messageId, '1')])
    await transport.publishSummary({ messageId, ios: { sent: 2, pending: 0, failed: 0, total: 2 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } })
    await until(() => received.length >= 3, 'three events', 15_000)
    const control = randomUUID()
    await transport.publishSummary({ messageId: control, ios: { sent: 0, pending: 0, failed: 0, total: 0 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } })
    await until(() => received.some((e) => e.kind === 'summary' && e.summary.messageId === control), 'the control summary', 15_000)
    await settledQueue(kind, prefix, 'results')
    const label = (e: ResultEvent) => e.kind === 'device' ? `device ${e.result.deviceId}` : e.kind === 'summary' ? `summary ${e.summary.messageId}` : 'chunk'
    t.same(received.slice(0, 3).map(label).sort(), ['device 1', 'device 2', `summary ${messageId}`], 'each result once, after the failed batch came again')
    t.same(received.slice(3).map(label), [`summary ${control}`], 'nothing else')
  })

  t.test(`${kind}: results published with their summary arrive before it, however many`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const events: ResultEvent[] = []
    transport.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 20 })
    const counts = { sent: 0, pending: 0, failed: 0, total: 0 }
    const small = randomUUID()
    const large = randomUUID()
    const watch = transport.watchSummary(small)
    await transport.publishSummary({ messageId: small, ios: counts, android: counts }, [result(small, '1'), result(small, '2')])
    await transport.publishSummary({ messageId: large, ios: counts, android: counts }, Array.from({ length: 501 }, (_, i) => result(large, String(i + 1))))
    t.match(await watch.wait(5000), { messageId: small }, 'the watcher sees the summary')
    await until(() => events.filter((e) => e.kind === 'summary').length === 2 && events.length >= 2 + 2 + 501, 'every event', 15_000)
    for (const messageId of [small, large]) {
      const summaryAt = events.findIndex((e) => e.kind === 'summary' && e.summary.messageId === messageId)
      const devices = events.flatMap((e, index) => e.kind === 'device' && 'messageId' in e.result && e.result.messageId === messageId ? [index] : [])
      t.equal(devices.length, messageId === small ? 2 : 501)
      t.ok(devices.every((index) => index < summaryAt), 'every result before its summary')
      const summary = events[summaryAt]
      t.notOk(summary?.kind === 'summary' && 'results' in summary.summary, 'the summary event carries counts only')
    }
  })

  t.test(`${kind}: a summary wait cancelled (the api closing) ends at once with null`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const watch = transport.watchSummary(randomUUID())
    const from = Date.now()
    const waiting = watch.wait(10_000)
    await new Promise((resolve) => setTimeout(resolve, 20))
    watch.cancel()
    t.equal(await waiting, null)
    t.ok(Date.now() - from < 5000, `ended by the cancel, not its timeout (${Date.now() - from} ms)`)
  })

  t.test(`${kind}: a batch smaller than maxBatch is handed over at once, burst after burst`, async (t) => {
    // Bursts of two with a small maxBatch make the consumer refill its pulls between the two
    // messages of a burst: the last message of a burst was once held back for a next one.
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const handled = new Set<string>()
    transport.consumeResults(async (events) => {
      for (const event of events) if (event.kind === 'summary') handled.add(event.summary.messageId)
    }, { maxBatch: 4 })
    const counts = { sent: 0, pending: 0, failed: 0, total: 0 }
    for (let burst = 0; burst < 25; burst++) {
      const ids = [randomUUID(), randomUUID()]
      await Promise.all(ids.map((messageId) => transport.publishSummary({ messageId, ios: counts, android: counts })))
      await until(() => ids.every((id) => handled.has(id)), `both summaries of burst ${burst}`, 3000)
    }
    t.equal(handled.size, 50)
  })

  t.test(`${kind}: campaign chunks and their results travel with ids of their own`, async (t) => {
    const prefix = kind === 'nats' ? await natsPrefix(t) : 'unused'
    const transport = await factory(t, prefix)
    const chunks: number[] = []
    transport.consumeCommands(async (delivery) => {
      if (delivery.command.kind === 'campaign-chunk') chunks.push(delivery.command.chunk)
      await delivery.ack()
    }, { concurrency: 2 })
    const chunk = (n: number) => ({ kind: 'campaign-chunk' as const, campaignId: '7', chunk: n, applicationId: 1, afterUserId: n === 0 ? null : `u${n}`, lastUserId: `u${n + 1}`, body: { title: 'c' } })
    await transport.publishCommand(chunk(0))
    await transport.publishCommand(chunk(1))
    await transport.publishCommand(chunk(0))
    const events: ResultEvent[] = []
    transport.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 50 })
    const at = new Date().toISOString()
    // A message and a campaign may name the same device: their results must not collide.
    await transport.publishDeviceResults([
      { campaignId: '7', deviceId: '1', platform: 'FCM', status: 'SENT', tokenInvalid: false, attempts: 1, at },
      { messageId: randomUUID(), deviceId: '1', platform: 'FCM', status: 'SENT', tokenInvalid: false, attempts: 1, at },
      { campaignId: '7', deviceId: '1', platform: 'FCM', status: 'SENT', tokenInvalid: false, attempts: 1, at }
    ])
    const counts = { sent: 1, pending: 0, failed: 0, total: 1 }
    await transport.publishChunkSummary({ campaignId: '7', chunk: 0, ios: counts, android: counts })
    await transport.publishChunkSummary({ campaignId: '7', chunk: 0, ios: counts, android: counts })
    // Controls, published after the duplicates: handed over after them, had they been kept.
    await transport.publishCommand(chunk(9))
    const control = randomUUID()
    await transport.publishSummary({ messageId: control, ios: counts, android: counts })
    await until(() => chunks.includes(9) && events.some((e) => e.kind === 'summary'), 'the controls')
    await settledQueue(kind, prefix, 'commands')
    await settledQueue(kind, prefix, 'results')
    t.same(chunks, [0, 1, 9], 'each chunk once')
    t.same(events.slice(0, -1).map((e) => e.kind).sort(), ['chunk', 'device', 'device'], 'each result and chunk summary once')
    t.match(events.at(-1), { kind: 'summary', summary: { messageId: control } })
  })

  // guarantee: chunk-concurrency
  t.test(`${kind}: campaign chunks in hand stay within chunkConcurrency, single messages fill the rest`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const inHand = { message: 0, 'campaign-chunk': 0 }
    const most = { message: 0, 'campaign-chunk': 0 }
    const held: Array<() => void> = []
    let handled = 0
    transport.consumeCommands(async (delivery) => {
      const { kind } = delivery.command
      inHand[kind]++
      most[kind] = Math.max(most[kind], inHand[kind])
      // The NATS factory's ack wait is 1 s: a held command keeps its heartbeat.
      const heartbeat = setInterval(() => { delivery.working() }, 200).unref()
      await new Promise<void>((resolve) => held.push(resolve))
      clearInterval(heartbeat)
      inHand[kind]--
      handled++
      await delivery.ack()
    }, { concurrency: 8, chunkConcurrency: 2 })
    const releaseAll = () => { for (const release of held.splice(0)) release() }
    const settle = async (ms: number) => { await new Promise((resolve) => setTimeout(resolve, ms)) }

    // Single messages only: up to `concurrency`, not held to the chunks' limit.
    for (let i = 0; i < 12; i++) await transport.publishCommand(command())
    await until(() => inHand.message === 8, 'eight messages in hand')
    await settle(300)
    t.equal(inHand.message, 8, 'eight in hand, the other four left in the queue')
    releaseAll()
    await until(() => handled === 8 && inHand.message === 4, 'the other four')
    releaseAll()
    await until(() => handled === 12, 'all twelve')

    // Five chunks, then three messages: two chunks in hand, and nothing taken behind them (what
    // comes next could be a chunk) until one ends.
    const chunk = (n: number) => ({ kind: 'campaign-chunk' as const, campaignId: '8', chunk: n, applicationId: 1, afterUserId: `u${n}`, lastUserId: `u${n + 1}`, body: { title: 'c' } })
    for (let n = 0; n < 5; n++) await transport.publishCommand(chunk(n))
    for (let i = 0; i < 3; i++) await transport.publishCommand(command())
    await until(() => inHand['campaign-chunk'] === 2, 'two chunks in hand')
    await settle(300)
    t.same(inHand, { message: 0, 'campaign-chunk': 2 }, 'two chunks, and the rest waits')
    // One at a time, so each pull is taken with the room left then.
    const deadline = Date.now() + 20_000
    for (;;) {
      if (handled === 20) break
      if (Date.now() > deadline) throw new Error(`${handled} of 20 handled`)
      held.shift()?.()
      await settle(50)
    }
    t.equal(most['campaign-chunk'], 2, 'never more than two chunks at once')
    t.equal(most.message, 8, 'never more than eight messages at once')
  })

  t.test(`${kind}: a backlog waiting for the consumer to be ready starts up to concurrency, not one pull's room for chunks`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    let open: () => void = () => {}
    const outage = new Promise<void>((resolve) => { open = resolve })
    let inHand = 0
    const held: Array<() => void> = []
    t.teardown(() => { for (const release of held.splice(0)) release() })
    transport.consumeCommands(async (delivery) => {
      inHand++
      const heartbeat = setInterval(() => { delivery.working() }, 200).unref()
      await new Promise<void>((resolve) => held.push(resolve))
      clearInterval(heartbeat)
      await delivery.ack()
    }, { concurrency: 8, chunkConcurrency: 2, ready: () => outage })
    for (let i = 0; i < 12; i++) await transport.publishCommand(command())
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(inHand, 0, 'nothing taken during the outage')
    open()
    await until(() => inHand === 8, 'eight in hand once ready', 5000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(inHand, 8, 'with none of them ended')
  })

  t.test(`${kind}: watchSummary sees the summary published after it started, and times out otherwise`, async (t) => {
    const transport = await factory(t, kind === 'nats' ? await natsPrefix(t) : 'unused')
    const messageId = randomUUID()
    const watch = transport.watchSummary(messageId)
    const summary = { messageId, ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } }
    await transport.publishSummary(summary)
    t.same(await watch.wait(5000), summary)
    const silent = transport.watchSummary(randomUUID())
    const started = Date.now()
    t.equal(await silent.wait(200), null)
    t.ok(Date.now() - started >= 190, 'waited for the timeout')
  })
}

t.test('nats: two dispatchers share one consumer, each command handled once', async (t) => {
  const prefix = await natsPrefix(t)
  const first = await natsFactory(t, prefix)
  const second = await natsFactory(t, prefix)
  const byConsumer: [string[], string[]] = [[], []]
  const handler = (index: number) => async (delivery: CommandDelivery) => {
    byConsumer[index]!.push(commandId(delivery.command))
    await new Promise((resolve) => setTimeout(resolve, 5))
    await delivery.ack()
  }
  first.consumeCommands(handler(0), { concurrency: 2 })
  second.consumeCommands(handler(1), { concurrency: 2 })
  const ids = Array.from({ length: 60 }, () => randomUUID())
  await Promise.all(ids.map((messageId) => first.publishCommand(command({ messageId }))))
  await until(() => byConsumer[0].length + byConsumer[1].length >= 60, 'all commands')
  // Nothing left in the queue: no redelivery can follow, and the server says how many it made.
  t.equal((await settledQueue('nats', prefix, 'commands'))?.deliveries, 60, 'sixty deliveries in all')
  t.same([...byConsumer[0], ...byConsumer[1]].sort(), ids.map((messageId) => commandId(command({ messageId }))).sort(), 'each command handled once')
  t.ok(byConsumer[0].length > 0 && byConsumer[1].length > 0, `both took work (${byConsumer[0].length}/${byConsumer[1].length})`)
})

t.test('nats: a busy holder takes no command it cannot start, so none waits out its ack wait and comes twice', async (t) => {
  // Ack wait 1 s (natsFactory); each command takes 1.3 s, one at a time: a command pulled ahead
  // of a free slot would wait over a second unheard of and be redelivered while still queued.
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const ids = Array.from({ length: 3 }, () => randomUUID())
  for (const messageId of ids) await transport.publishCommand(command({ messageId }))
  const deliveries: Array<{ id: string, count: number }> = []
  transport.consumeCommands(async (delivery) => {
    deliveries.push({ id: commandId(delivery.command), count: delivery.deliveryCount })
    const heartbeat = setInterval(() => delivery.working(), 300)
    await new Promise((resolve) => setTimeout(resolve, 1300))
    clearInterval(heartbeat)
    await delivery.ack()
  }, { concurrency: 1 })
  await until(() => deliveries.length >= 3, 'three commands', 15_000)
  t.equal((await settledQueue('nats', prefix, 'commands'))?.deliveries, 3, 'the server delivered three times in all')
  t.same(deliveries.map((d) => d.count), [1, 1, 1], 'each delivered once')
  t.equal(new Set(deliveries.map((d) => d.id)).size, 3)
})

t.test('nats: a command its holder never settles is redelivered to another after ack wait', async (t) => {
  const prefix = await natsPrefix(t)
  const dead = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'dead', commandAckWaitMs: 1000 })
  let release: () => void = () => {}
  const hung = new Promise<void>((resolve) => { release = resolve })
  let taken = 0
  // A holder that hangs: it never acks, never calls working(); then it goes away for good.
  const deadConsumer = dead.consumeCommands(async () => { taken++; await hung }, { concurrency: 1 })
  await dead.publishCommand(command())
  await until(() => taken === 1, 'first holder')
  const alive = await natsFactory(t, prefix)
  const counts: number[] = []
  alive.consumeCommands(async (delivery) => { counts.push(delivery.deliveryCount); await delivery.ack() }, { concurrency: 1 })
  release()
  await deadConsumer.stop()
  await dead.close()
  await until(() => counts.length === 1, 'redelivery to the second holder', 15_000)
  t.ok(counts[0]! >= 2, `redelivered (delivery ${counts[0]})`)
})

t.test('nats: an invalid message is terminated and reported, not handled', async (t) => {
  const prefix = await natsPrefix(t)
  const errors: unknown[] = []
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'invalid', onError: (e) => errors.push(e) })
  t.teardown(() => transport.close())
  let handled = 0
  transport.consumeCommands(async (delivery) => { handled++; await delivery.ack() }, { concurrency: 1 })
  const nc = await connect({ servers: testNatsUrl })
  const { jetstream } = await import('@nats-io/jetstream')
  await jetstream(nc).publish(natsNames(prefix).commandSubject, new TextEncoder().encode('{"messageId":"nope"}'))
  await nc.close()
  await until(() => errors.length === 1, 'the error report')
  t.equal(handled, 0)
  t.match(String(errors[0]), /command is invalid/)
})

// guarantee: invalid-command-fails
t.test('nats: an invalid command that names its message or chunk fails it with InvalidCommand, not leaving it pending', async (t) => {
  const prefix = await natsPrefix(t)
  const errors: unknown[] = []
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'invalid-named', onError: (e) => errors.push(e) })
  t.teardown(() => transport.close())
  let handled = 0
  transport.consumeCommands(async (delivery) => { handled++; await delivery.ack() }, { concurrency: 1 })
  const events: ResultEvent[] = []
  transport.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 20 })
  const messageId = randomUUID()
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const js = jetstream(nc)
  const names = natsNames(prefix)
  // A date-time the dispatcher's check refuses (the api once took it), and a chunk missing its body.
  const message = { kind: 'message', messageId, applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { validUntil: '2030-01-01 00:00:00Z' } }
  await js.publish(names.commandSubject, new TextEncoder().encode(JSON.stringify(message)))
  await js.publish(names.commandSubject, new TextEncoder().encode(JSON.stringify({ kind: 'campaign-chunk', campaignId: '42', chunk: 3, applicationId: 1, afterUserId: null, lastUserId: 'z' })))
  await until(() => events.length === 2, 'both failures summarised')
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  t.same(events.find((e) => e.kind === 'summary'), { kind: 'summary', summary: { messageId, ios: none, android: none, reason: 'InvalidCommand' } })
  t.same(events.find((e) => e.kind === 'chunk'), { kind: 'chunk', summary: { campaignId: '42', chunk: 3, ios: none, android: none, reason: 'InvalidCommand' } })
  t.equal(handled, 0, 'neither handled')
  t.equal(errors.length, 2, 'both reported')
  // A dispatcher that read the same command (another version's) still has its summary recorded:
  // not dropped by JetStream as a repeat of the failure's.
  await transport.publishSummary({ messageId, ios: { ...none, sent: 1, total: 1 }, android: none })
  await until(() => events.length === 3, 'the real summary too')
  t.match(events[2], { kind: 'summary', summary: { messageId, ios: { sent: 1 } } })
  // The same for the chunk: its real summary is not taken for a repeat of its failure's.
  await transport.publishChunkSummary({ campaignId: '42', chunk: 3, ios: { ...none, sent: 2, total: 2 }, android: none })
  await until(() => events.length === 4, 'the real chunk summary too')
  t.match(events[3], { kind: 'chunk', summary: { campaignId: '42', chunk: 3, ios: { sent: 2 } } })
})

t.test('nats: an invalid command whose failure could not be told comes again, and is told then', async (t) => {
  const prefix = await natsPrefix(t)
  const errors: unknown[] = []
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'invalid-untold', onError: (e) => errors.push(e) })
  t.teardown(() => transport.close())
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const names = natsNames(prefix)
  // No stream takes the summary: the failure's publish gets no answer.
  await (await jetstreamManager(nc)).streams.delete(names.resultStream)
  let handled = 0
  transport.consumeCommands(async (delivery) => { handled++; await delivery.ack() }, { concurrency: 1 })
  const messageId = randomUUID()
  await jetstream(nc).publish(names.commandSubject, new TextEncoder().encode(JSON.stringify({ kind: 'message', messageId, applicationId: 1 })))
  await until(() => errors.length >= 2, 'the invalid command and the failed publish reported')
  // The stream is back (another transport sets it up), and the command, given back, is read again.
  const recorder = await natsFactory(t, prefix)
  const events: ResultEvent[] = []
  recorder.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 20 })
  await until(() => events.length === 1, 'the failure told on the next delivery', 15_000)
  t.match(events[0], { kind: 'summary', summary: { messageId, reason: 'InvalidCommand' } })
  t.equal(handled, 0, 'never handled')
})

t.test('nats: an invalid result is terminated and reported once, not given back again and again', async (t) => {
  const prefix = await natsPrefix(t)
  const errors: unknown[] = []
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'invalid-result', onError: (e) => errors.push(e) })
  t.teardown(() => transport.close())
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  await jetstream(nc).publish(natsNames(prefix).deviceResultSubject(randomUUID()), new TextEncoder().encode('{"results":"nope"}'))
  const control = randomUUID()
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  await transport.publishSummary({ messageId: control, ios: none, android: none })
  const events: ResultEvent[] = []
  transport.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 20 })
  await until(() => events.length === 1, 'the control')
  const settled = await settledQueue('nats', prefix, 'results')
  t.same([settled?.stored, settled?.deliveries], [2, 2], 'each delivered once, nothing left')
  t.equal(errors.length, 1, 'reported once')
  t.match(String(errors[0]), /device results is invalid/)
})

t.test('nats: a summary whose results could not be published is not published either, and the publish fails', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const messageId = randomUUID()
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  // More than one message's worth (sent apart from the summary), the last over the server's max_payload: refused.
  const results = Array.from({ length: 501 }, (_, i) => result(messageId, String(i + 1)))
  results[500] = { ...results[500]!, reason: 'x'.repeat((nc.info?.max_payload ?? 1024 * 1024) + 1) }
  await t.rejects(transport.publishSummary({ messageId, ios: none, android: none }, results), { code: TransportErrorCode.PUBLISH_REFUSED })
  const stored = async () => (await (await jetstreamManager(nc)).streams.info(natsNames(prefix).resultStream)).state.messages
  // The batch that fit may still be on its way when the refusal comes.
  for (const deadline = Date.now() + 5000; await stored() < 1 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20))
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(await stored(), 1, 'the batch that fit, and no summary')
})

t.test('nats: results travel in batches of at most 500 per NATS message; a single result of an earlier version still decodes', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const messageId = randomUUID()
  await transport.publishDeviceResults(Array.from({ length: 1200 }, (_, i) => result(messageId, String(i + 1))))
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const names = natsNames(prefix)
  t.equal((await (await jetstreamManager(nc)).streams.info(names.resultStream)).state.messages, 3, '1,200 results in 3 messages')
  await jetstream(nc).publish(names.deviceResultSubject(messageId), new TextEncoder().encode(JSON.stringify(result(messageId, '5000'))))
  const devices = new Set<string>()
  transport.consumeResults(async (events) => {
    for (const event of events) if (event.kind === 'device') devices.add(event.result.deviceId)
  }, { maxBatch: 10 })
  await until(() => devices.size >= 1201, 'every result')
  t.equal(devices.size, 1201)
  t.ok(devices.has('5000'), 'the single result arrived')
})

t.test('nats: results of one message published apart (a redelivered command reports other devices) all arrive; the same devices again are dropped', async (t) => {
  const prefix = await natsPrefix(t)
  const transport = await natsFactory(t, prefix)
  const messageId = randomUUID()
  await transport.publishDeviceResults([result(messageId, '1'), result(messageId, '2')])
  await transport.publishDeviceResults([result(messageId, '3')])
  await transport.publishDeviceResults([result(messageId, '4'), result(messageId, '5')])
  await transport.publishDeviceResults([result(messageId, '1'), result(messageId, '2')])
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  t.equal((await (await jetstreamManager(nc)).streams.info(natsNames(prefix).resultStream)).state.messages, 3, 'three batches kept, the repeat dropped')
  const devices: string[] = []
  transport.consumeResults(async (events) => {
    for (const event of events) if (event.kind === 'device') devices.push(event.result.deviceId)
  }, { maxBatch: 10 })
  await until(() => devices.length >= 5, 'five results')
  await settledQueue('nats', prefix, 'results')
  t.same(devices.sort(), ['1', '2', '3', '4', '5'], 'each device once')
})

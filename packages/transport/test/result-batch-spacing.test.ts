import { randomUUID } from 'node:crypto'
import type { MessageSummary } from '@beacon/contracts'
import t from 'tap'
import type { ResultEvent } from '../src/index.js'
import { memoryFactory, natsFactory, natsPrefix } from './fixtures.js'

// Wide enough that a scheduler's lateness on a busy machine cannot pass for the spacing.
const SPACING_MS = 2000

const summary = (): MessageSummary => {
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  return { messageId: randomUUID(), ios: none, android: none }
}
const ids = (events: ResultEvent[]) => events.flatMap((e) => e.kind === 'summary' ? [e.summary.messageId] : [])

// guarantee: results-batch-spacing
t.test('nats: result batches start spacingMs apart while busy; the first after a quiet spell and a full one go at once', async (t) => {
  const transport = await natsFactory(t, await natsPrefix(t))
  const batches: Array<{ at: number, ids: string[] }> = []
  const arrived = (n: number) => new Promise<void>((resolve) => {
    const check = setInterval(() => { if (batches.length >= n) { clearInterval(check); resolve() } }, 10)
  })
  transport.consumeResults(async (events) => { batches.push({ at: performance.now(), ids: ids(events) }) }, { maxBatch: 5, spacingMs: SPACING_MS })

  // A quiet spell: the first goes at once.
  const first = summary()
  const publishedAt = performance.now()
  await transport.publishSummary(first)
  await arrived(1)
  t.ok(batches[0]!.at - publishedAt < SPACING_MS / 2, `the first batch did not wait for the spacing (${Math.round(batches[0]!.at - publishedAt)} ms)`)

  // Busy: three published one by one within the spacing share the next batch, which starts a spacing after the first.
  const busy = [summary(), summary(), summary()]
  for (const each of busy) await transport.publishSummary(each)
  await arrived(2)
  t.same(batches.map((b) => b.ids), [[first.messageId], busy.map((s) => s.messageId)], 'the three went together')
  // Measured when each handler is called, later than the batch's start by a busy machine's lag (the
  // first was 10 ms late once): three quarters of the spacing still tells waiting from going at once.
  t.ok(batches[1]!.at - batches[0]!.at >= SPACING_MS * 0.75, `the second batch started a spacing after the first (${Math.round(batches[1]!.at - batches[0]!.at)} ms)`)

  // A full batch (maxBatch 5) does not wait for the spacing.
  const full = Array.from({ length: 5 }, summary)
  const fullFrom = performance.now()
  await Promise.all(full.map((each) => transport.publishSummary(each)))
  await arrived(3)
  t.same(batches[2]!.ids.sort(), full.map((s) => s.messageId).sort(), 'the five went together')
  t.ok(batches[2]!.at - fullFrom < SPACING_MS / 2, `the full batch went at once (${Math.round(batches[2]!.at - fullFrom)} ms after its publishes began)`)
})

t.test('nats: stopping starts a batch waiting out the spacing at once, and hands it over', async (t) => {
  const transport = await natsFactory(t, await natsPrefix(t))
  const seen: string[] = []
  const consumer = transport.consumeResults(async (events) => { seen.push(...ids(events)) }, { maxBatch: 5, spacingMs: SPACING_MS })
  const first = summary()
  await transport.publishSummary(first)
  while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const waiting = summary()
  await transport.publishSummary(waiting)
  // Arrived and waiting for the spacing's timer.
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.same(seen, [first.messageId], 'not handed over yet')
  const from = performance.now()
  await consumer.stop()
  t.ok(performance.now() - from < SPACING_MS / 2, `the stop did not wait for the spacing (${Math.round(performance.now() - from)} ms)`)
  t.same(seen, [first.messageId, waiting.messageId], 'the waiting batch was handed over')
})

// npm start's api and dispatcher share one process: no NATS message to save, so no spacing.
// guarantee: memory-results-unspaced
t.test('memory (npm start): each result is handed over as it comes, whatever spacingMs says', async (t) => {
  const transport = await memoryFactory(t, 'unused')
  const batches: string[][] = []
  // Ten minutes: a transport that kept it would hand over nothing after the first within the wait below.
  transport.consumeResults(async (events) => { batches.push(ids(events)) }, { maxBatch: 5, spacingMs: 600_000 })
  for (let n = 1; n <= 3; n++) {
    const each = summary()
    await transport.publishSummary(each)
    const deadline = Date.now() + 10_000
    while (batches.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    t.same(batches[n - 1], [each.messageId], `result ${n}: a batch of its own, at once`)
  }
})

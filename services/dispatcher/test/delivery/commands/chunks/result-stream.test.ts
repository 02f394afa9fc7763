import { MAX_RESULTS_PER_BATCH, type DeviceResult } from '@beacon/contracts'
import type { Transport } from '@beacon/transport'
import t from 'tap'
import type { CommandRun } from '../../../../src/delivery/commands/run.js'
import { streamResults } from '../../../../src/delivery/commands/result-stream.js'
import { until } from '../../../harness.js'

// A chunk's results are published as they come (result-stream.ts). What a push server's user
// would notice: a result dropped in a split (its device stays PENDING and is sent again by the
// next delivery), repeated, or still unpublished when the chunk is acknowledged.

const result = (n: number): DeviceResult => ({ campaignId: '1', chunk: 0, deviceId: String(n), platform: 'FCM', status: 'SENT', unconfirmed: false, tokenInvalid: false, attempts: 1, at: '2026-12-07T00:00:00.000Z' })
const results = (from: number, count: number) => Array.from({ length: count }, (_, i) => result(from + i))

/** A transport whose device-result publishes are recorded (and held until `open`, when gated). */
function publishing ({ gated = false, refusals = 0 } = {}) {
  const batches: string[][] = []
  let refused = refusals
  let open: () => void = () => {}
  const gate = gated ? new Promise<void>((resolve) => { open = resolve }) : Promise.resolve()
  const transport = {
    publishDeviceResults: async (batch: DeviceResult[]) => {
      await gate
      if (refused-- > 0) throw new Error('device results refused')
      batches.push(batch.map((r) => r.deviceId))
    }
  } as Partial<Transport> as Transport
  // The run's hold only matters for outages; these publishes fail for good or not at all.
  const run = { hold: async <T>(step: () => Promise<T>) => await step() } as unknown as CommandRun
  return { batches, transport, run, open: () => { open() } }
}

const ids = (from: number, count: number) => results(from, count).map((r) => r.deviceId)

t.test('results added at once in more than two batches\' worth (a platform failing its whole group) are published each exactly once, in batches of at most 500', async (t) => {
  const p = publishing()
  const stream = streamResults(p.transport, p.run)
  const count = 2 * MAX_RESULTS_PER_BATCH + 201
  stream.add(results(1, count))
  await stream.end()
  t.same(p.batches.map((batch) => batch.length), [500, 500, 201], 'split into full batches and the rest')
  t.same(p.batches.flat(), ids(1, count), 'every result once, none dropped or repeated')
})

t.test('results added one by one past a batch, then in a group that crosses the next: each published exactly once, no batch over 500', async (t) => {
  const p = publishing()
  const stream = streamResults(p.transport, p.run)
  for (const one of results(1, MAX_RESULTS_PER_BATCH + 3)) stream.add([one])
  stream.add(results(MAX_RESULTS_PER_BATCH + 4, 1200))
  await stream.end()
  const total = MAX_RESULTS_PER_BATCH + 3 + 1200
  t.ok(p.batches.every((batch) => batch.length > 0 && batch.length <= MAX_RESULTS_PER_BATCH), 'no empty batch, none over the limit')
  t.same(p.batches.flat(), ids(1, total), 'every result once, in order')
})

// The sooner an answer is published, the fewer devices a crash leaves to be sent again.
t.test('a full batch goes out as soon as it is full, without waiting for more to gather', async (t) => {
  const p = publishing()
  const stream = streamResults(p.transport, p.run)
  for (const one of results(1, MAX_RESULTS_PER_BATCH)) stream.add([one])
  // A few turns of the event loop, well short of the gathering timer.
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve))
  t.same(p.batches.map((batch) => batch.length), [MAX_RESULTS_PER_BATCH])
  await stream.end()
  t.equal(p.batches.length, 1, 'nothing more to publish at the end')
})

// The point of streaming: an answer is recorded while the chunk is still sending, so a holder
// killed mid-chunk leaves only its last ~50 ms of answers to be sent again, not the whole chunk's.
t.test('a few results gather for a moment, then go out together without a full batch or the chunk\'s end', async (t) => {
  const p = publishing()
  const stream = streamResults(p.transport, p.run)
  stream.add(results(1, 3))
  stream.add(results(4, 2))
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.same(p.batches, [], 'still gathering 10 ms later: each answer is not a publish of its own')
  await until(() => p.batches.length > 0, 'the gathered results published', 2000)
  t.same(p.batches, [ids(1, 5)], 'the five in one batch, before any end()')
  await stream.end()
  t.equal(p.batches.length, 1, 'nothing left for the end')
})

// handleCampaignChunk acknowledges the chunk once `end` resolves: an ack before the results are
// out would leave devices that were answered to be sent again, were the process to die then.
t.test('end resolves only once every result, those still gathering included, is published', async (t) => {
  const p = publishing({ gated: true })
  const stream = streamResults(p.transport, p.run)
  stream.add(results(1, MAX_RESULTS_PER_BATCH)) // a full batch: on its way at once
  stream.add(results(MAX_RESULTS_PER_BATCH + 1, 7)) // gathering
  let ended = false
  const end = stream.end().then(() => { ended = true })
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve))
  t.notOk(ended, 'not ended while the publishes are held')
  p.open()
  await end
  t.same(p.batches.flat(), ids(1, MAX_RESULTS_PER_BATCH + 7), 'everything published by then')
})

t.test('a batch that cannot be published fails the stream\'s end; the batches after it are still published', async (t) => {
  const p = publishing({ refusals: 1 })
  const stream = streamResults(p.transport, p.run)
  stream.add(results(1, MAX_RESULTS_PER_BATCH + 10))
  await t.rejects(stream.end(), { message: 'device results refused' })
  t.same(p.batches.flat(), ids(MAX_RESULTS_PER_BATCH + 1, 10), 'the second batch went out')
})

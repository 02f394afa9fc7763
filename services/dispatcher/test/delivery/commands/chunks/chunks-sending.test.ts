import { commandId } from '@beacon/contracts'
import { pino } from 'pino'
import t from 'tap'
import { SendSlots } from '../../../../src/delivery/sends/send-slots.js'
import { startHarness, until, type Harness } from '../../../harness.js'
import { metricValue } from '../../../metrics/metric-values.js'
import { startDbHarness } from '../../db-harness.js'

/**
 * A campaign of one user per chunk, each user with `devices[i]` APNs devices (default one) that
 * answer only after `delayMs` (`delayMs[i]` for user i); its chunks published.
 */
async function publishCampaign (h: Harness, users: string[], delayMs: number | number[], devices: number[] = []): Promise<string[]> {
  const tokens: string[] = []
  for (const [i, user] of users.entries()) {
    const delay = typeof delayMs === 'number' ? delayMs : delayMs[i]!
    for (const token of await h.addDevices(user, devices[i] ?? 1, 'APNS')) { h.apns.script(token, { kind: 'slow', delayMs: delay }); tokens.push(token) }
  }
  const campaign = await h.db.campaign.create({ data: { applicationId: h.applicationId, message: { title: 'campaign' } } })
  await h.db.campaignUser.createMany({ data: users.map((userId) => ({ campaignId: campaign.id, userId })) })
  for (const [chunk, userId] of users.entries()) {
    const afterUserId = chunk === 0 ? null : users[chunk - 1]!
    await h.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk, afterUserId, lastUserId: userId } })
    await h.transport.publishCommand({ kind: 'campaign-chunk', campaignId: String(campaign.id), chunk, applicationId: h.applicationId, afterUserId, lastUserId: userId, body: { title: 'campaign' } })
  }
  return tokens
}

// guarantee: chunks-sending
// One request in flight (APNS_MAX_STREAMS 1): the first chunk's second device waits for the slot,
// so that chunk has a device still to start and keeps its place.
t.test('of the chunks in hand, DISPATCHER_CHUNKS_SENDING send at once; the others wait, unclaimed, and follow', async (t) => {
  const h = await startHarness(t)
  await h.startDispatcher({ DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '3', DISPATCHER_CHUNKS_SENDING: '1', APNS_MAX_STREAMS: '1' })
  const chunksBefore = await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' })
  // The first chunk's answers are slow (it keeps its place for ~5 s), the others' quick.
  const tokens = await publishCampaign(h, ['c1', 'c2', 'c3'], [5000, 200, 200], [2, 2, 2])
  await h.until(() => h.apns.log.length === 1, 'the first chunk\'s first request on the wire')
  await h.until(async () => await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' }) === chunksBefore + 3, 'three chunks in hand')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(await h.db.campaignDelivery.count({ where: { chunk: 0 } }), 2, 'the first chunk claimed its devices (one on the wire, one waiting for the slot)')
  t.equal(await h.db.campaignDelivery.count({ where: { chunk: { gt: 0 } } }), 0, 'the waiting chunks claimed nothing')
  await h.until(() => h.apns.log.length === 6, 'the other two, one after the other', 20_000)
  await h.until(() => h.events.filter((e) => e.kind === 'chunk').length === 3, 'three chunk summaries', 20_000)
  t.same(tokens.map((token) => h.apns.received(token).length), [1, 1, 1, 1, 1, 1], 'every chunk\'s devices once')
})

// guarantee: chunk-leaves-place
// A stop then finds more chunks mid-send than places: each is given back with its answer kept.
t.test('a chunk whose every device is on the wire leaves its place: the next chunk sends while its answers are awaited', async (t) => {
  const h = await startHarness(t)
  const settings = { DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '3', DISPATCHER_CHUNKS_SENDING: '1' }
  const first = await h.startDispatcher(settings)
  // Answers slow enough to see all three on the wire, within the 10 s request timeout.
  const tokens = await publishCampaign(h, ['p1', 'p2', 'p3'], 7000)
  await h.until(() => h.apns.log.length === 3, 'the three chunks\' requests on the wire, one place in all', 6000)
  t.equal(h.events.filter((e) => e.kind === 'chunk').length, 0, 'before any chunk had its answer')
  await first.stop(20_000)
  await h.startDispatcher(settings)
  await h.until(() => h.events.filter((e) => e.kind === 'chunk').length === 3, 'three chunk summaries', 20_000)
  t.same(tokens.map((token) => h.apns.received(token).length), [1, 1, 1], 'every chunk\'s device once, the stop having waited for the three answers')
})

// guarantee: chunk-leaves-place
// Through a real dispatcher and the APNs mock's 429s (the send loop's unit test holds the rule).
// One request in flight (APNS_MAX_STREAMS 1): the first chunk's second device starts when the
// first device's 429 frees the slot, while that device waits for its retry.
t.test('a chunk with a device waiting for a retry when its last device starts keeps its place until the retry is on the wire', async (t) => {
  const h = await startHarness(t)
  const [patient, other, next] = await publishCampaign(h, ['k1', 'k2'], 0, [2, 1])
  h.apns.script(patient!, [{ kind: 'rate-limited', retryAfterSeconds: 2 }, 'success'])
  await h.startDispatcher({ DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '2', DISPATCHER_CHUNKS_SENDING: '1', APNS_MAX_STREAMS: '1' })
  await h.until(() => h.events.filter((e) => e.kind === 'chunk').length === 2, 'both chunk summaries', 20_000)
  const names = new Map([[patient, 'patient'], [other, 'other'], [next, 'next chunk']])
  t.same(h.apns.log.map((entry) => `${names.get(entry.token)} ${entry.status}`), ['patient 429', 'other 200', 'patient 200', 'next chunk 200'],
    'the next chunk waited for the retry, though the slot was free during the Retry-After')
})

// guarantee: chunk-leaves-place
// The other half of the rule: the 429 arrives after the chunk left (its only device was on the wire).
t.test('a 429 that comes after its chunk left is retried without a place, while the next chunk sends', async (t) => {
  const h = await startHarness(t)
  const [patient, next] = await publishCampaign(h, ['r1', 'r2'], 0)
  h.apns.script(patient!, [{ kind: 'rate-limited', retryAfterSeconds: 3 }, 'success'])
  await h.startDispatcher({ DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '2', DISPATCHER_CHUNKS_SENDING: '1' })
  await h.until(() => h.events.filter((e) => e.kind === 'chunk').length === 2, 'both chunk summaries', 20_000)
  const names = new Map([[patient, 'patient'], [next, 'next chunk']])
  t.same(h.apns.log.map((entry) => `${names.get(entry.token)} ${entry.status}`), ['patient 429', 'next chunk 200', 'patient 200'], 'the next chunk sent during the Retry-After')
  const [refused, retried] = h.apns.received(patient!)
  t.ok(retried!.at - refused!.at > 2900, 'the retry waited for the provider\'s Retry-After')
})

// guarantee: chunk-hand-back
// One delivery each (COMMAND_MAX_DELIVER 1): given back with a redelivery, the waiting chunk would
// have none left, and JetStream would never hand it out again.
t.test('a chunk waiting for a place when the dispatcher stops goes back untouched, without spending a delivery, and the next dispatcher sends it once', async (t) => {
  const h = await startHarness(t)
  // One request in flight: the first chunk's second device waits for the slot, so it keeps its place.
  const settings = { DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '2', DISPATCHER_CHUNKS_SENDING: '1', COMMAND_MAX_DELIVER: '1', APNS_MAX_STREAMS: '1' }
  const first = await h.startDispatcher(settings)
  const chunksBefore = await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' })
  const tokens = await publishCampaign(h, ['w1', 'w2'], 5000, [2, 1])
  await h.until(() => h.apns.log.length === 1, 'the first chunk\'s request on the wire')
  await h.until(async () => await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' }) === chunksBefore + 2, 'both chunks in hand')
  const stopping = first.stop(15_000)
  // The waiting chunk goes back at once; the sending one waits for its answer (5 s).
  await h.until(async () => await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' }) === chunksBefore + 1, 'the waiting chunk given back', 2000)
  t.equal(h.apns.log.length, 1, 'while the first chunk\'s request is still unanswered')
  await stopping
  t.equal(await h.db.campaignDelivery.count({ where: { chunk: 1 } }), 0, 'the waiting chunk claimed nothing')
  await h.startDispatcher(settings)
  await h.until(() => h.events.filter((e) => e.kind === 'chunk').length >= 2, 'both chunk summaries', 30_000)
  t.same(tokens.map((token) => h.apns.received(token).length), [1, 1, 1], 'each chunk\'s devices once')
})

// guarantee: chunks-sending-lease-wait
t.test('a copy waiting for another holder\'s live lease takes no place: the next chunk sends meanwhile, and the copy follows once the lease lapses', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u1' })
  await h.addDevice('b', { userId: 'u2' })
  const [chunkA, chunkB] = await h.storeCampaign([['u1'], ['u2']])
  // Chunk A's first holder is alive and sending elsewhere: its lease is live for a minute.
  await h.db.pool.query('INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, gen_random_uuid(), now() + interval \'1 minute\')', [commandId(chunkA!)])
  const places = new SendSlots(1)
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => { lines.push((JSON.parse(line) as { msg: string }).msg) } })
  const copy = h.startHolder('copy', chunkA!, { deliveryCount: 2, chunksSending: places, log })
  await until(() => lines.some((line) => line.includes('another dispatcher holds this command; waiting')), 'the copy of chunk A waits for the live lease')

  const next = h.startHolder('next', chunkB!, { chunksSending: places })
  await until(() => h.provider.receipts.length === 1, 'chunk B sends while the copy of chunk A waits (one place in all)', 5000)
  await next.done
  t.same(next.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['next:b'], 'chunk A not sent while its lease is another holder\'s')
  t.equal(await h.db.campaignDelivery.count({ where: { chunk: 0 } }), 0, 'the waiting copy claimed nothing')

  // That holder dies: its lease lapses, and the copy takes it, then the place.
  await h.db.pool.query('UPDATE command_lease SET expires_at = now() - interval \'1 second\' WHERE key = $1', [commandId(chunkA!)])
  await copy.done
  t.same(copy.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['next:b', 'copy:a'], 'chunk A sent once, by the copy')
})

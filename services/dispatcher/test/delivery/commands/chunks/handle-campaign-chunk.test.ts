import t from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness } from '../../db-harness.js'
import { campaignClaimRows, publishedRows, recordPublished, summaries } from '../../rows.js'
import { gate } from '../../scripted-provider.js'

const SENT = { kind: 'sent' } as const
const counts = (sent: number, failed = 0) => ({ sent, pending: 0, failed, total: sent + failed })

t.test('a chunk redelivered after its holder died: answers published as they came are not sent again; the claims on the wire and the one never sent are; exact rows', async (t) => {
  const h = await startDbHarness(t)
  for (const [label, platform] of [['a', 'APNS'], ['b', 'APNS'], ['e', 'APNS'], ['c', 'FCM'], ['d', 'FCM']] as const) await h.addDevice(label, { userId: `user-${label}`, platform })
  h.provider.script('b', ['hang', SENT])
  h.provider.script('c', { kind: 'invalid-token', reason: 'registration-token-not-registered' })
  h.provider.script('d', ['hang', SENT])
  const [command] = await h.storeCampaign([['user-a', 'user-b', 'user-c', 'user-d', 'user-e']])
  // One slot per platform: with b and d on the wire, e is claimed and waits for its slot.
  const first = h.startHolder('first', command!, { streams: 1 })
  await until(async () => publishedRows(h).length === 2 && (await h.db.campaignDelivery.count()) === 5, 'a and c answered and published, e claimed')
  await first.kill()
  await recordPublished(h) // the api records what was published
  t.same(await campaignClaimRows(h, command!.campaignId), [['a', 0, 'SENT', null, 1, false], ['b', 0, 'PENDING', null, 0, false],
    ['c', 0, 'FAILED', 'registration-token-not-registered', 1, false], ['d', 0, 'PENDING', null, 0, false], ['e', 0, 'PENDING', null, 0, false]])

  const second = h.startHolder('second', command!, { deliveryCount: 2, streams: 1 })
  await second.done
  await recordPublished(h)
  t.same(second.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`).sort(), ['first:a', 'first:b', 'first:c', 'first:d', 'second:b', 'second:d', 'second:e'])
  t.same(h.provider.afterDeath, [])
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false], ['b', 'SENT', null, 1, false, false], ['c', 'FAILED', 'registration-token-not-registered', 1, true, false],
    ['d', 'SENT', null, 1, false, false], ['e', 'SENT', null, 1, false, false]], 'one result per device')
  t.same(await campaignClaimRows(h, command!.campaignId), [['a', 0, 'SENT', null, 1, false], ['b', 0, 'SENT', null, 1, false],
    ['c', 0, 'FAILED', 'registration-token-not-registered', 1, false], ['d', 0, 'SENT', null, 1, false], ['e', 0, 'SENT', null, 1, false]])
  t.same(summaries(h), [{ campaignId: command!.campaignId, chunk: 0, ios: counts(3), android: counts(1, 1) }], 'the dead holder\'s answers recorded before are counted')
})

// guarantee: chunk-hand-back
t.test('a chunk stopped mid-send is handed back as a copy that keeps its delivery count; one whose copy cannot be queued goes back with a redelivery', async (t) => {
  for (const refused of [false, true]) {
    const h = await startDbHarness(t)
    await h.addDevice('a', { userId: 'user-a' })
    await h.addDevice('b', { userId: 'user-b' })
    h.provider.script('a', ['hang', SENT])
    const [command] = await h.storeCampaign([['user-a', 'user-b']])
    const first = h.startHolder('first', command!, { streams: 1, handBackRefused: refused })
    await until(() => h.provider.receipts.length === 1, 'a on the wire, b waiting for its slot')
    first.stop()
    await first.done
    t.same(first.settled, refused ? ['hand back refused', 'retry 0'] : ['hand back'], refused ? 'the copy refused: a redelivery' : 'a copy')
  }
  // NATS away: the copy is tried again until the stop's deadline, then the chunk goes back with a redelivery.
  for (const deadline of [false, true]) {
    const h = await startDbHarness(t)
    await h.addDevice('a', { userId: 'user-a' })
    await h.addDevice('b', { userId: 'user-b' })
    const held = gate()
    h.provider.script('a', held.answer)
    const [command] = await h.storeCampaign([['user-a', 'user-b']])
    const first = h.startHolder('first', command!, { streams: 1, handBackOutages: deadline ? 1000 : 2 })
    await until(() => h.provider.receipts.length === 1, 'a on the wire, b waiting for its slot')
    first.stop({ deadline })
    // Before its deadline the stop waits for the request on the wire.
    held.open(SENT)
    await first.done
    t.same(first.settled, deadline ? ['hand back unanswered', 'retry 0'] : ['hand back unanswered', 'hand back unanswered', 'hand back'],
      deadline ? 'at the deadline: a redelivery' : 'tried again until NATS answered')
  }
})

t.test('a device shared by users of two chunks, on the wire for the first when the second runs: sent once, its outcome on the first chunk, the second does not wait for it', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('shared', { userId: 'user-1' })
  await h.addDevice('shared', { userId: 'user-2' })
  await h.addDevice('own-1', { userId: 'user-1', platform: 'FCM' })
  await h.addDevice('own-2', { userId: 'user-2', platform: 'FCM' })
  const held = gate()
  h.provider.script('shared', held.answer)
  const [first, second] = await h.storeCampaign([['user-1'], ['user-2']])
  const one = h.startHolder('one', first!)
  await until(() => h.provider.count('shared') === 1, 'the shared device on the wire')
  const two = h.startHolder('two', second!)
  await two.done
  t.same(two.settled, ['ack'], 'the second chunk finished while the shared device was unanswered')
  held.open(SENT)
  await one.done
  await recordPublished(h)

  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`).sort(), ['one:own-1', 'one:shared', 'two:own-2'], 'the shared device reached once')
  t.same(await campaignClaimRows(h, first!.campaignId), [['own-1', 0, 'SENT', null, 1, false], ['own-2', 1, 'SENT', null, 1, false], ['shared', 0, 'SENT', null, 1, false]])
  t.same(publishedRows(h), [['own-1', 'SENT', null, 1, false, false], ['own-2', 'SENT', null, 1, false, false], ['shared', 'SENT', null, 1, false, false]])
  t.same(summaries(h), [
    { campaignId: first!.campaignId, chunk: 1, ios: counts(0), android: counts(1) },
    { campaignId: first!.campaignId, chunk: 0, ios: counts(1), android: counts(1) }
  ], 'each chunk counts the devices it claimed')
})

t.test('two chunks reaching a shared device at the same time: one claims it and sends it once; the other neither sends nor counts it', async (t) => {
  const h = await startDbHarness(t)
  for (const user of ['user-1', 'user-2']) await h.addDevice('shared', { userId: user })
  const [first, second] = await h.storeCampaign([['user-1'], ['user-2']])
  const holders = [h.startHolder('one', first!), h.startHolder('two', second!)]
  await Promise.all(holders.map((holder) => holder.done))
  await recordPublished(h)

  t.same(holders.map((holder) => holder.settled), [['ack'], ['ack']])
  t.equal(h.provider.count('shared'), 1, 'sent once')
  const claims = await campaignClaimRows(h, first!.campaignId)
  t.equal(claims.length, 1)
  const owner = claims[0]![1] as number
  t.same(claims, [['shared', owner, 'SENT', null, 1, false]])
  t.same(h.provider.receipts.map((r) => r.holder), [owner === 0 ? 'one' : 'two'], 'by the chunk that claimed it')
  t.same(summaries(h).map((s) => [('chunk' in s) ? s.chunk : null, s.ios]).sort(), [[0, counts(owner === 0 ? 1 : 0)], [1, counts(owner === 1 ? 1 : 0)]])
})

// Its claim would otherwise stay PENDING for ever: no holder resolves the device again to send or
// answer it, and the chunk's claims never all get an answer.
t.test('a chunk redelivered after a device its dead holder claimed was removed: that unanswered claim is released, the other devices sent; exact rows', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('kept', { userId: 'user-a' })
  const gone = await h.addDevice('gone', { userId: 'user-b' })
  const [command] = await h.storeCampaign([['user-a', 'user-b']])
  await h.db.campaignDelivery.create({ data: { campaignId: BigInt(command!.campaignId), deviceId: gone, chunk: 0, platform: 'APNS', status: 'PENDING' } })
  await h.db.device.deleteMany({ where: { id: gone } })

  const second = h.startHolder('second', command!, { deliveryCount: 2 })
  await second.done
  await recordPublished(h)
  t.same(second.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => r.token), ['kept'])
  t.same(await campaignClaimRows(h, command!.campaignId), [['kept', 0, 'SENT', null, 1, false]], 'the removed device\'s claim is gone')
  t.same(summaries(h), [{ campaignId: command!.campaignId, chunk: 0, ios: counts(1), android: counts(0) }])
})

// guarantee: overtaken-holder-stops
// A first delivery writes its lease only at its first renewal: a copy handed out meanwhile (this
// holder's heartbeats lost) may hold it already. Refused its first claim, this holder has nothing
// in flight and nothing waiting, yet must stop as overtaken: a chunk summary of its nothing would
// stand beside the real holder's.
t.test('a chunk whose first claim finds another handling\'s live lease sends nothing, publishes no chunk summary and neither acknowledges nor gives it back', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'user-a' })
  const [command] = await h.storeCampaign([['user-a']])
  await h.db.pool.query('INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, gen_random_uuid(), now() + interval \'1 minute\')', [`campaign-${command!.campaignId}-0`])
  const first = h.startHolder('first', command!)
  await first.done
  t.ok(first.run.overtaken, 'overtaken by its refused claim')
  t.same(first.settled, [], 'left to the lease\'s holder')
  t.same(h.provider.receipts, [], 'nothing sent')
  t.same(summaries(h), [], 'no chunk summary')
  t.same(await campaignClaimRows(h, command!.campaignId), [], 'nothing claimed')
})
